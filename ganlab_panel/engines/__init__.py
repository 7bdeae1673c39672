"""Training engines: the same small numpy-in, numpy-out interface over different backends."""

from .base import Engine, create_engine

__all__ = ["Engine", "create_engine"]
