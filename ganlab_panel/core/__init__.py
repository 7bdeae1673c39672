"""The model without UI: settings, data, the trainer and what it produces (frames, history, timeline).

Nothing here imports Panel or Bokeh; torch only through an engine."""
