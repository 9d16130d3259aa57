"""``python -m contract_tests``: the same command line as the ``sora-contract`` script."""

import sys

from contract_tests.cli import main

sys.exit(main())
