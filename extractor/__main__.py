"""`python -m extractor` runs the `extractor` command (handy where the script is not on PATH)."""

from .cli import run

run()
