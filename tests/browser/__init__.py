"""Real-browser tests of the served app."""
