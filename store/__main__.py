"""``python -m store``: see :mod:`store.cli`."""

import sys

from store.cli import main

sys.exit(main())
