"""``python -m oracle.cli``: the same as the ``manual-bp`` command."""

import sys

from oracle.cli.main import main

sys.exit(main())
