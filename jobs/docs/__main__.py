"""`python -m jobs.docs [--check]`: rewrite (or check) the generated reference pages."""

import sys

from jobs.docs import main

sys.exit(main(sys.argv[1:]))
