"""What the benchmarks share to measure a run: a worker subprocess under ``/usr/bin/time -v``.

Each side of a comparison runs in its own process so that its peak memory is its own; the
peak is the maximum resident set size the kernel reports for the whole process (what
``/usr/bin/time -v`` prints), imports and all.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

TIME = Path("/usr/bin/time")


def worker(command: list[str]) -> tuple[dict, float]:
    """Run ``command`` (a script printing one JSON line last) under /usr/bin/time -v: its JSON
    and its peak resident memory in MB."""
    if not TIME.exists():
        raise SystemExit("the benchmarks measure memory with /usr/bin/time: apt-get install time")
    done = subprocess.run(
        [str(TIME), "-v", *command],
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONWARNINGS": "ignore"},
    )
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    if peak is None:
        raise SystemExit(f"/usr/bin/time printed no peak memory:\n{done.stderr[-1000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), int(peak.group(1)) / 1024
