"""Compare mode: `panel serve ganlab_panel/compare.py` serves it at /compare (with the app: `ganlab-panel serve`); its
address may hold settings (`?distribution=ring8&b.model=flow`: a GAN beside a flow on the ring)."""

import panel as pn

from ganlab_panel.pages.comparison import Comparison

__all__ = ["Comparison"]

if pn.state.served:
    # the class comes from an imported module: Bokeh clears a served script's globals when its session ends,
    # before the session's on-destroyed hooks run, and those hooks need them
    Comparison.from_link().servable(title="GAN Lab (Panel): compare")
