"""A spelling checker the demo's language agents create while they load (a shared module of the fleet's own code).

``from common import lexicon`` is used only inside ``Checker.known``: deferrable here, like in
``common.text_features``, which the same agents load too.
"""

from common import lexicon


class Checker:
    def __init__(self, language):
        self.language = language

    def known(self, word):
        return lexicon.known(word)


def checker(language):
    return Checker(language)
