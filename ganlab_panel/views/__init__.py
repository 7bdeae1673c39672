"""Bokeh/Panel views of an experiment: each builds its models once and draws Frames with `update`."""
