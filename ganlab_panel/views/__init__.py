"""Panel views of a GAN experiment: each builds its Bokeh models once and draws Frames with `update`."""

from ganlab_panel.views.charts import ChartsView
from ganlab_panel.views.distribution_picker import DistributionPicker
from ganlab_panel.views.drawing import DrawingSurface
from ganlab_panel.views.layered import LayeredView

__all__ = ["ChartsView", "DistributionPicker", "DrawingSurface", "LayeredView"]
