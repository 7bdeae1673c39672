"""Files in and out: checkpoints, downloads (JSON, CSV, PNG, GIF) and CSV points; no UI."""
