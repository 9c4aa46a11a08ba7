"""``python -m pykctl``."""

from pykctl.cli.main import main

main()
