"""seqlab serve: forecasts and text over HTTP, the same answers as the library, one sentence
for bad input, limits and the API key."""

import json

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

import seqlab as sl
from seqlab.errors import CheckpointError
from seqlab.serve import create_app, load_forecasters


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    index = pd.date_range("2024-01-01", periods=120, freq="D", name="date")
    values = 10 + np.sin(np.arange(120) / 5)
    df = pd.DataFrame({"y": values}, index=index)
    fc = sl.Forecaster(model="dlinear", target="y", lookback=14, horizon=3, epochs=2, seed=0)
    fc.fit(df).save(folder / "run" / "dlinear")
    return folder, df


def _client(folder, **kwargs):
    return TestClient(create_app(load_forecasters([folder / "run"]), **kwargs))


def test_a_forecast_over_http_is_the_library_s(served):
    folder, df = served
    client = _client(folder, text=False)
    assert client.get("/health").json() == {"status": "ok"}
    described = client.get("/models").json()["forecasters"]["run/dlinear"]
    assert described["horizon"] == 3 and described["target"] == "y"
    records = [{"date": str(d.date()), "y": v} for d, v in df["y"].items()]
    answer = client.post("/forecast/run/dlinear", json={"records": records, "levels": [80]})
    assert answer.status_code == 200
    rows = answer.json()["forecast"]
    expected = sl.Forecaster.load(folder / "run" / "dlinear").predict(df, levels=[80])
    assert [r["y"] for r in rows] == pytest.approx(expected["y"].tolist())
    assert [r["date"][:10] for r in rows] == ["2024-04-30", "2024-05-01", "2024-05-02"]
    csv = df.reset_index().to_csv(index=False).encode()
    by_csv = client.post("/forecast/run/dlinear/csv", content=csv).json()["forecast"]
    assert [r["y"] for r in by_csv] == pytest.approx(expected["y"].tolist())


def test_bad_input_is_a_4xx_with_the_library_s_one_sentence(served):
    folder, _ = served
    client = _client(folder, text=False)
    few = [{"date": "2024-01-01", "y": 1.0}, {"date": "2024-01-02", "y": 2.0}]
    answer = client.post("/forecast/run/dlinear", json={"records": few})
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and detail.endswith(".")
    unknown = client.post("/forecast/nope", json={"records": few})
    assert unknown.status_code == 404 and "Served: run/dlinear" in unknown.json()["detail"]
    empty = client.post("/forecast/run/dlinear", json={"records": []})
    assert empty.status_code == 422 and empty.json()["detail"].startswith("records of")


def test_limits_and_the_api_key(served):
    folder, _ = served
    client = _client(folder, text=False, api_key="s3cret", max_bytes=100)
    assert client.get("/health").status_code == 200  # open: load balancers ask it
    assert client.get("/models").status_code == 401
    assert client.get("/models", headers={"X-API-Key": "s3cret"}).status_code == 200
    big = json.dumps({"records": [{"date": "2024-01-01", "y": 1.0}] * 20})
    answer = client.post(
        "/forecast/run/dlinear",
        content=big,
        headers={"X-API-Key": "s3cret", "content-type": "application/json"},
    )
    assert answer.status_code == 413 and "at most 100 bytes" in answer.json()["detail"]


def test_a_folder_without_a_model_stops_the_server_with_one_sentence(tmp_path):
    with pytest.raises(CheckpointError, match=r"^model of seqlab serve must be a model folder"):
        load_forecasters([tmp_path])


def test_the_text_tools_answer_over_http(served):
    folder, _ = served
    client = _client(folder)
    words = client.post("/segment", json={"texts": ["我爱北京天安门"]}).json()["words"]
    assert words == [["我", "爱", "北京", "天安门"]]
    mood = client.post("/sentiment", json={"texts": ["房间干净，服务热情", "太差了"]}).json()
    assert mood["labels"] == ["pos", "neg"]
    assert _client(folder, text=False).post("/segment", json={"texts": ["x"]}).status_code == 404


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_docs_curl_lines_run_against_a_real_server(tmp_path):
    """docs/serving.md's shell example, line by line, against `seqlab serve` in its own
    process: each answers 200 with JSON."""
    import re
    import shutil
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    df = sl.datasets.load("sine")
    fc = sl.Forecaster(model="lstm", target="value", lookback=24, horizon=6, epochs=1)
    fc.set_params(hidden_size=8, num_layers=1).fit(df).save(tmp_path / "runs/demo/lstm")
    df.tail(48).reset_index().to_csv(tmp_path / "history.csv", index=False)
    port = _free_port()
    command = [sys.executable, "-m", "seqlab", "serve", "--model", "runs/demo/lstm"]
    server = subprocess.Popen(
        [*command, "--port", str(port)], cwd=tmp_path, stdout=subprocess.PIPE, text=True
    )
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        page = (Path(__file__).resolve().parents[1] / "docs/serving.md").read_text()
        block = re.search(r"```bash\n(.*?)```", page, re.S).group(1)
        lines = [line for line in block.splitlines() if line.startswith("curl ")]
        assert len(lines) == 4
        for line in lines:
            line = line.replace("localhost:8000", f"127.0.0.1:{port}")
            done = subprocess.run(
                ["bash", "-c", line + " -w '\\n%{http_code}'"],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=120,
            )
            body, status = done.stdout.rsplit("\n", 1)
            assert status == "200", (line, done.stdout)
            json.loads(body)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_model_that_fails_to_load_stops_the_server_with_one_sentence(tmp_path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "seqlab", "serve", "--model", str(tmp_path / "nothing")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    said = (done.stdout + done.stderr).strip()
    assert "must be a model folder or a run folder" in said and "Traceback" not in said


def test_a_body_of_unstated_length_is_refused_before_it_is_read(served):
    folder, _ = served
    client = _client(folder, text=False)

    def chunks():
        yield b'{"records": []}'

    answer = client.post("/forecast/run/dlinear", content=chunks())
    assert answer.status_code == 411 and answer.json()["detail"].startswith("Content-Length")


def test_a_model_of_many_series_forecasts_a_long_table_over_http(tmp_path):
    """As seqlab predict does: the body is read as long data, every series forecast."""
    from seqlab.data.panel import wide_to_long

    hours = pd.date_range("2024-01-01", periods=120, freq="h", name="time")
    wide = pd.DataFrame(
        {f"s{i}": 10 + i + np.sin(np.arange(120) / 4) for i in range(3)}, index=hours
    )
    long = wide_to_long(wide)
    fc = sl.Forecaster(model="dlinear", lookback=24, horizon=4, epochs=1, seed=0).fit(long)
    client = TestClient(create_app({"many": fc}, text=False))
    body = long.to_csv(index=False).encode()
    answer = client.post("/forecast/many/csv", content=body)
    assert answer.status_code == 200, answer.text
    rows = answer.json()["forecast"]
    expected = fc.predict(long)
    assert len(rows) == len(expected) == 3 * 4
    assert sorted({r["unique_id"] for r in rows}) == ["s0", "s1", "s2"]


def test_levels_that_are_not_whole_percentages_are_one_sentence(served):
    folder, df = served
    client = _client(folder, text=False)
    csv = df.reset_index().to_csv(index=False).encode()
    answer = client.post("/forecast/run/dlinear/csv?levels=abc", content=csv)
    assert answer.status_code == 422 and answer.json()["detail"].startswith("levels of")
    ok = client.post("/forecast/run/dlinear/csv?levels=80", content=csv)
    assert ok.status_code == 200 and "y-lo-80" in ok.json()["forecast"][0]


def test_translations_load_each_model_once(served, monkeypatch):
    import importlib

    translation = importlib.import_module("seqlab.text.translate")  # the module, not the function

    loads = []
    real = translation.load_translator

    def counted(direction="zh-en", path=None, device="cpu"):
        loads.append(direction)
        return real(direction, path, device)

    monkeypatch.setattr(translation, "load_translator", counted)
    folder, _ = served
    client = _client(folder)
    for _ in range(2):
        answer = client.post("/translate", json={"texts": ["我们明天去北京。", ""]})
        assert answer.status_code == 200
        english, empty = answer.json()["translations"]
        assert english.strip() and empty == ""
    assert loads == ["zh-en"]  # the second request used the model the first loaded
