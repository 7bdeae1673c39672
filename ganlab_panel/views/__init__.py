"""Panel views of a GAN experiment: each builds its Bokeh models once and draws Frames with `update`."""

from .charts import ChartsView
from .distribution_picker import DistributionPicker
from .drawing import DrawingSurface
from .layered import LayeredView

__all__ = ["ChartsView", "DistributionPicker", "DrawingSurface", "LayeredView"]
