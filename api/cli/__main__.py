"""``python -m api.cli``: see ``api.cli.main``."""

import sys

from api.cli.main import main

sys.exit(main())
