"""The app as the standalone page runs it: `ganlab-panel convert` hands this file to `panel convert`.

In the browser it runs in Pyodide, which has numpy but no torch, so it trains with the NumPy engine. It
imports nothing but ganlab_panel (absolute imports): `panel convert` cannot follow relative imports,
and the package reaches the page as a wheel.
"""

from ganlab_panel.core.config import GanConfig
from ganlab_panel.pages.gan_lab import GanLab

app = GanLab(GanConfig(engine="numpy"))
app.servable(title="GAN Lab (Panel)")
