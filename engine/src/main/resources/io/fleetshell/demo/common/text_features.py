"""Text features the demo's language agents describe themselves with (a shared module of the fleet's own code).

``from common import lexicon`` is used only inside ``rank_of``: deferrable here. The agents call ``describe``
while they load, so they keep their import of this module eager.
"""

from common import lexicon

FEATURES = ("tokens", "ranks")


def describe(service):
    """What a service reports about its text features (computed from constants only)."""
    return {"service": service, "features": list(FEATURES)}


def rank_of(word):
    return lexicon.rank(word)
