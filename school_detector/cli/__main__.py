"""``python -m school_detector.cli``: how the plugin starts runtime jobs."""

import sys

from .main import main

sys.exit(main())
