import sys

from scripts.figure_builder.cli import main

sys.exit(main())
