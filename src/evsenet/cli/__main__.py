"""`python -m evsenet.cli`."""

from evsenet.cli import app

app()
