"""Which agent classes the demo fleet defines: every subclass of ``BaseAgent`` registers itself here."""

AGENT_CLASSES = {}


def register(cls):
    """Records an agent class under its agent name; returns it unchanged."""
    AGENT_CLASSES[cls.agent_name] = cls
    return cls


def registered():
    """The agent names registered so far, sorted."""
    return sorted(AGENT_CLASSES)
