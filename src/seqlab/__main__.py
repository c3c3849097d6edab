"""``python -m seqlab`` (and ``torchrun -m seqlab``): the same as the ``seqlab`` command."""

from seqlab.cli import main

main()
