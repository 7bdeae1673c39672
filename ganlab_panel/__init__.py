"""ganlab_panel: GAN Lab rebuilt on the HoloViz stack; the core runs headless, the app in Panel."""

from .config import GanConfig
from .experiment import Experiment
from .frame import Frame
from .trainer import Trainer

__all__ = ["Experiment", "Frame", "GanConfig", "Trainer"]
__version__ = "0.1.0"
