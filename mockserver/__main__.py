"""``python -m mockserver``: the same as ``sora-mock``."""

import sys

from mockserver.cli import main

sys.exit(main())
