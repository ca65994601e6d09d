"""The base class of the demo fleet's Python agents.

An agent module subclasses ``BaseAgent``, names itself and its ports and its request handler, and serves
from its ``__main__`` block with ``sys.exit(TheAgent().serve())``.

Its imports show both sides of the lazy-import rules (LAZY_IMPORTS.md) in a shared module:

* ``from common import model_zoo`` is heavy (it builds token tables) and only read inside methods that
  serving does not call: deferrable, and deferring it speeds up every agent that subclasses ``BaseAgent``;
* ``from common import agent_registry`` looks as if it were used only inside a method, but that method is
  ``__init_subclass__``, which runs while each agent module loads (its ``class X(BaseAgent)`` statement):
  it must stay eager, which only the importers' view of this module shows;
* ``from common.demo_runtime import serve`` stays eager too: loading ``demo_runtime`` does more than define
  names (it records when it was imported), and such an import of the fleet's own code keeps its place.
"""

from common import agent_registry
from common import model_zoo
from common.demo_runtime import serve

__all__ = ["BaseAgent"]


class BaseAgent:
    """An agent of the demo fleet: ``agent_name``, ``service_port``, ``health_port`` and ``handle_run``."""

    agent_name = None
    service_port = None
    health_port = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        agent_registry.register(cls)

    def handle_run(self, params):
        raise NotImplementedError

    def serve(self, argv=None):
        """Serves ``handle_run`` until SIGTERM; returns the exit status (see ``common.demo_runtime.serve``)."""
        return serve(self.agent_name, self.handle_run, self.service_port, self.health_port, argv)

    def embed(self, text):
        """A deterministic embedding of ``text`` from the fleet's shared model tables."""
        return model_zoo.embed(text)

    def token_id(self, word):
        """The token of ``word`` in the shared model's vocabulary."""
        return model_zoo.token_id(word)
