"""The GAN Lab page: `panel serve ganlab_panel/app.py` serves it, one GanLab per browser tab.

from ganlab_panel.app import GanLab; GanLab()   # inline in a notebook
"""

import panel as pn

from ganlab_panel.pages.gan_lab import GanLab

__all__ = ["GanLab"]

if pn.state.served:
    # the class comes from an imported module: Bokeh clears a served script's globals when its session ends,
    # before the session's on-destroyed hooks run, and those hooks need them
    GanLab().servable(title="GAN Lab (Panel)")
