"""``python -m seqlab.cli``: the same as the ``seqlab`` command."""

from seqlab.cli import main

main()
