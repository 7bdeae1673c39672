"""A frame's look without Bokeh: colours, the layers' geometry, and the layered view as a PNG."""
