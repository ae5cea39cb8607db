"""`python -m ejournal_tui` is the `ejournal` command. Importing this module (a walk of the
package's modules does) runs nothing."""

import sys

from ejournal_tui.cli import main

if __name__ == "__main__":
    sys.exit(main())
