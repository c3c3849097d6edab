"""`seqlab serve` under load, on loopback: requests/s and latency at 1, 8 and 32 concurrent
clients for /forecast and /segment, memory over a soak, and a killed server restarted.

    python benchmarks/serve_load.py                 # ~8 minutes -> results/serve_load.json
    python benchmarks/serve_load.py --soak 30       # a 30-second soak instead of 5 minutes

The server is `python -m seqlab serve` in its own process (an LSTM forecaster of hidden 32
trained for 2 epochs on the bundled sine series, and the text tools), reached on 127.0.0.1
only. Each level sends a bounded number of requests (at most ``--requests`` a level, stopped
after 60 s) from that many client threads, each waiting for its answer before the next;
latency is per request, from send to the whole answer. The soak sends forecasts from 8
clients for ``--soak`` seconds and samples the server's resident memory every 5 s. Then the
server is killed (SIGKILL), started again on the same model folder, and asked the same
forecast: the answer must be the same.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import docs_tables

ROOT = Path(__file__).resolve().parent.parent
LEVELS = (1, 8, 32)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(model: Path, port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "seqlab", "serve", "--model", str(model)]
    server = subprocess.Popen([*command, "--port", str(port)], stdout=subprocess.DEVNULL)
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not answer /health within 60 s")


def _post(url: str, body: dict) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def _level(url: str, body: dict, clients: int, requests: int, seconds: float = 60) -> dict:
    """``requests`` POSTs from ``clients`` threads (stopped after ``seconds``): rate and
    latency."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    left = [requests]
    deadline = time.perf_counter() + seconds

    def client() -> None:
        while time.perf_counter() < deadline:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            t0 = time.perf_counter()
            status, _ = _post(url, body)
            with lock:
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    errors.append(status)

    start = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    ordered = sorted(latencies)
    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": len(errors),
        "requests_per_second": len(latencies) / seconds,
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
    }


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


def table_serve() -> str:
    r = docs_tables.read_json("serve_load")
    lines = [
        "| route | clients | requests | errors | requests / s | p50 (ms) | p99 (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for route, levels in r["load"].items():
        for row in levels:
            lines.append(
                f"| {route} | {row['clients']} | {row['requests']} | {row['errors']} | "
                f"{row['requests_per_second']:.1f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} |"
            )
    soak = r["soak"]
    return (
        "\n".join(lines)
        + "\n\n"
        + f"Soak: {soak['requests']:,} forecasts from 8 clients over {soak['seconds']:.0f} s, "
        f"{soak['errors']} errors; the server's memory went from {soak['rss_mb'][0]:.0f} MB "
        f"to {soak['rss_mb'][-1]:.0f} MB (largest {max(soak['rss_mb']):.0f} MB). Killed and "
        f"started again, it gave {'the same' if r['restart_same'] else 'a different'} "
        f"forecast. {r['machine']['cpus']} CPU cores, loopback.\n"
    )


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {"serve-load": (ROOT / "docs" / "serving.md", table_serve)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="at most this many a level")
    parser.add_argument("--soak", type=float, default=300.0, help="seconds of the soak")
    args = parser.parse_args()
    import seqlab as sl

    folder = Path(tempfile.mkdtemp())
    df = sl.datasets.load("sine")
    fc = sl.Forecaster(model="lstm", target="value", lookback=48, horizon=12, epochs=2, seed=0)
    fc.set_params(hidden_size=32, num_layers=1).fit(df).save(folder / "lstm")
    history = [{"date": str(d.date()), "value": v} for d, v in df["value"].tail(96).items()]
    forecast = {"records": history, "levels": [80]}
    texts = {"texts": ["我毕业于华清远见成都中心人工智能专业", "房间干净，服务热情"] * 4}
    port = _port()
    server = _start(folder / "lstm", port)
    base = f"http://127.0.0.1:{port}"
    try:
        _post(f"{base}/segment", texts)  # loads the segmenter: not timed
        load = {"forecast": [], "segment": []}
        for clients in LEVELS:
            for route, url, body in (
                ("forecast", f"{base}/forecast/lstm", forecast),
                ("segment", f"{base}/segment", texts),
            ):
                load[route].append(_level(url, body, clients, args.requests))
                print(route, json.dumps(load[route][-1]), flush=True)
        rss, soak_rows = [_rss_mb(server.pid)], []
        end = time.perf_counter() + args.soak
        while time.perf_counter() < end:
            soak_rows.append(_level(f"{base}/forecast/lstm", forecast, 8, 10**9, seconds=5))
            rss.append(_rss_mb(server.pid))
        first = _post(f"{base}/forecast/lstm", forecast)[1]
    finally:
        server.kill()
        server.wait()
    again = _start(folder / "lstm", port)
    try:
        second = _post(f"{base}/forecast/lstm", forecast)[1]
    finally:
        again.kill()
        again.wait()
    result = {
        "load": load,
        "soak": {
            "seconds": args.soak,
            "requests": sum(r["requests"] for r in soak_rows),
            "errors": sum(r["errors"] for r in soak_rows),
            "rss_mb": rss,
        },
        "restart_same": json.loads(first) == json.loads(second),
        "machine": {"cpus": os.cpu_count()},
    }
    (docs_tables.RESULTS / "serve_load.json").write_text(json.dumps(result, indent=2) + "\n")
    docs_tables.update(TABLES)
    print(json.dumps(result["soak"]), "restart same:", result["restart_same"])


if __name__ == "__main__":
    main()
