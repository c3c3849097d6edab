import os
from pathlib import Path

# Tests never download: the ETT benchmark files come from the shared data folder beside the
# checkout (CI clones the project with shared/ next to it).
os.environ.setdefault(
    "SEQLAB_DATA_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "data" / "ett")
)
