"""Training engines: the same small numpy-in, numpy-out interface over different backends."""

from ganlab_panel.engines.base import Engine
from ganlab_panel.engines.factory import create_engine

__all__ = ["Engine", "create_engine"]
