"""ganlab_panel: GAN Lab rebuilt on the HoloViz stack; the core runs headless, the app in Panel."""

from ganlab_panel.core.config import GanConfig
from ganlab_panel.core.flow_frame import FlowFrame
from ganlab_panel.core.frame import Frame
from ganlab_panel.core.trainer import Trainer
from ganlab_panel.experiment import Experiment

__all__ = ["Experiment", "FlowFrame", "Frame", "GanConfig", "Trainer"]
__version__ = "0.1.0"
