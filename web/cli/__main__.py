"""`python -m web.cli ...`: the same command line as the `walkthrough` script."""

from web.cli import main

main()
