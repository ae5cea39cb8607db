"""`python -m ejournal_tui` is the `ejournal` command."""

import sys

from ejournal_tui.cli import main

sys.exit(main())
