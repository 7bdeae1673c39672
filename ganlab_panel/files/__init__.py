"""Files in and out: checkpoints, downloads (JSON, CSV, PNG, GIF, a PyTorch script) and CSV points; no UI."""
