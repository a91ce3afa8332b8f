"""`python -m cardaudit` runs the CLI."""

from cardaudit.cli.app import main

main()
