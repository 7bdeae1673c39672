"""`python -m ganlab_panel` runs the `ganlab-panel` command line."""

import sys

from ganlab_panel.cli import main

sys.exit(main())
