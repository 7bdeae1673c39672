"""Small text panes used around the views: section titles, grey notes, folded explanations."""

from __future__ import annotations

import re

import panel as pn

from ganlab_panel.views.explanations import explain

BOLD = re.compile(r"\*\*(.+?)\*\*")

HEADER = (
    "<h2 style='margin: 4px 0'>GAN Lab <span style='font-weight: normal; font-size: 15px'>"
    "Play with Generative Adversarial Networks in your browser, rebuilt on Panel</span></h2>"
)
OVERVIEW_NOTE = (
    "The **model overview** shows one training iteration: noise becomes fake samples through the generator; "
    "the discriminator judges real and fake samples; its predictions give both losses, whose gradients "
    "update the discriminator (blue paths) and the generator (purple paths)."
)
OVERVIEW_TOPICS = (
    "noise",
    "generator",
    "real",
    "fake",
    "discriminator",
    "predictions",
    "discriminator-loss",
    "generator-loss",
    "gradients",
)
SPACE_NOTE = "The **space bar** plays and pauses."
NOTE_STYLE = {"font-size": "12px", "color": "#555"}


def title(text: str) -> pn.pane.Markdown:
    return pn.pane.Markdown(f"### {text}", margin=(0, 10))


def note(text: str) -> pn.pane.Markdown:
    """A short explanation under a component, small and grey so the plots stay in front."""
    return pn.pane.Markdown(text, styles=NOTE_STYLE, sizing_mode="stretch_width", margin=(0, 10))


def about(summary: str, *topics: str) -> pn.pane.HTML:
    """Explanations folded under a one-line summary (an HTML <details>: no script, no icon font)."""
    texts = [BOLD.sub(r"<b>\1</b>", explain(t) if " " not in t else t) for t in topics]
    body = "".join(f"<p style='margin: 4px 0'>{text}</p>" for text in texts)
    return pn.pane.HTML(
        f"<details><summary style='cursor: pointer'>{summary}</summary>{body}</details>",
        styles=NOTE_STYLE,
        sizing_mode="stretch_width",
        margin=(0, 10),
    )


def section(text: str, explanation: pn.pane.HTML) -> pn.Row:
    """A part's title with its explanations folded beside it: one click away, out of the way."""
    explanation.param.update(sizing_mode=None, width=170, margin=(14, 10))  # opens downwards, within its part
    return pn.Row(title(text), explanation)
