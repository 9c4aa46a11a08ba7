"""How a context reaches a cluster. Never imports pykctl."""
