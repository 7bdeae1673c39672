"""Panels that open from the top bar over the overview, one at a time (never over the layered view), and the
fixed places of toasts: what is one click away stays out of the page's flow, so the main view stays in sight."""

from __future__ import annotations

from collections.abc import Callable

import panel as pn

TOP = "112px"  # under the top bar
SHADOW = "0 2px 10px rgba(0, 0, 0, 0.25)"


def toast_styles(where: str, top: str = TOP) -> dict:
    """CSS that takes an element out of the page's flow to a fixed place: 'left' (a drawer over the overview),
    'right' (a notice over the layered view's corner), 'centre' (an alert) or 'bottom' (a caption bar)."""
    fixed = {"position": "fixed", "z-index": "1000", "background": "white", "box-shadow": SHADOW}
    if where == "left":
        return {**fixed, "top": top, "left": "8px", "max-height": f"calc(100vh - {top} - 16px)", "overflow-y": "auto"}
    if where == "right":
        return {**fixed, "top": top, "right": "16px", "max-width": "420px"}
    if where == "centre":
        return {**fixed, "top": top, "left": "50%", "transform": "translateX(-50%)", "max-width": "640px"}
    if where == "bottom":
        return {**fixed, "bottom": "0", "left": "0", "right": "0", "z-index": "900"}
    raise ValueError(f"unknown place {where!r}")


class Drawers:
    """A toggle button per drawer for the top bar, and the drawers themselves. Opening one closes the others;
    a drawer's content is built the first time it opens (a page with fewer Bokeh models opens sooner)."""

    def __init__(self, builders: dict[str, Callable[[], pn.viewable.Viewable]], width: int = 430):
        self._builders = builders
        self.toggles: dict[str, pn.widgets.Toggle] = {}
        self.drawers: dict[str, pn.Column] = {}
        for name in builders:
            slug = name.lower().replace(" ", "-")
            toggle = pn.widgets.Toggle(label=name, css_classes=[f"open-{slug}"], width=len(name) * 7 + 26)
            close = pn.widgets.Button(label="Close", css_classes=["close-drawer"], width=70, align="end")
            close.on_click(lambda _event, toggle=toggle: setattr(toggle, "value", False))
            header = pn.Row(pn.pane.Markdown(f"### {name}", margin=(0, 10)), pn.layout.HSpacer(), close)
            self.drawers[name] = pn.Column(
                header,
                visible=False,
                width=width,
                styles=toast_styles("left"),
                css_classes=["drawer", f"drawer-{slug}"],
            )
            toggle.param.watch(lambda event, name=name: self._toggled(name, event.new), "value")
            self.toggles[name] = toggle

    @property
    def buttons(self) -> list[pn.widgets.Toggle]:
        return list(self.toggles.values())

    @property
    def panels(self) -> list[pn.Column]:
        return list(self.drawers.values())

    def open(self, name: str) -> None:
        self.toggles[name].value = True

    def rebuild(self, name: str) -> None:
        """Build a drawer's content anew (the page's model changed): now if it is open, else when it opens."""
        drawer = self.drawers[name]
        if len(drawer) > 1:
            drawer.objects = [drawer[0], self._builders[name]()] if drawer.visible else [drawer[0]]

    def _toggled(self, name: str, opened: bool) -> None:
        drawer = self.drawers[name]
        if opened:
            for other, toggle in self.toggles.items():
                if other != name:
                    toggle.value = False
            if len(drawer) == 1:  # only its header: build it now
                drawer.append(self._builders[name]())
        drawer.visible = opened
