"""``seqlab serve``: saved forecasters and the bundled text tools behind one HTTP API (FastAPI).

    POST /forecast/{name}   recent history (JSON records, or a CSV body) -> dated forecasts
    POST /segment /tag /sentiment /translate /generate      {"texts": [...]} and such
    GET  /health  /models   /docs (the OpenAPI page)

A forecast is made by the code of ``seqlab predict``: the body is read by
:func:`seqlab.data.read_table` (so a CSV a user has works as it does on the command line),
then ``Forecaster.predict``. Bad input is a 4xx with the same one sentence the library
raises; a request over ``max_bytes`` (or of unstated length) is refused before it is read,
one over ``timeout`` seconds answered 503. With ``api_key``, every route but /health and the
docs asks for it in the ``X-API-Key`` header, compared in constant time.
"""

# No ``from __future__ import annotations``: FastAPI reads the request models of the routes,
# which are made inside create_app (FastAPI is an optional dependency), from live annotations.
import asyncio
import hmac
import io
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import pandas as pd

from seqlab.errors import CheckpointError, SeqlabError

__all__ = ["create_app", "load_forecasters"]

TEXT_ROUTES = ("segment", "tag", "sentiment", "translate", "generate")


class NotServed(CheckpointError):
    """A model or a tool this server does not serve (HTTP 404)."""


def load_forecasters(paths: list[str | Path]) -> dict[str, Any]:
    """The forecasters in ``paths``, by name: a model folder (``Forecaster.save``) is one,
    named after the folder; a run folder (``seqlab forecast``) gives each model in it, named
    run/model. A folder that holds neither stops with one sentence."""
    from seqlab.tasks.forecasting.forecaster import Forecaster

    found: dict[str, Any] = {}
    for path in map(Path, paths):
        if (path / "config.json").is_file():
            found[path.name] = Forecaster.load(path)
            continue
        models = sorted(p for p in path.glob("*/config.json")) if path.is_dir() else []
        if not models:
            raise CheckpointError(
                f"model of seqlab serve must be a model folder or a run folder; got "
                f"{str(path)!r}, which holds no saved model. Pass a folder written by "
                "seqlab forecast (runs/X) or one of its models (runs/X/lstm).",
                param="model",
            )
        for config in models:
            found[f"{path.name}/{config.parent.name}"] = Forecaster.load(config.parent)
    return found


def create_app(
    forecasters: dict[str, Any],
    *,
    text: bool = True,
    api_key: str | None = None,
    max_bytes: int = 1_000_000,
    timeout: float = 30.0,
) -> Any:
    """The FastAPI application serving ``forecasters`` (name -> fitted Forecaster) and, with
    ``text``, the bundled text tools (loaded when first asked for)."""
    from fastapi import Body, FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from pydantic import BaseModel, Field
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException as StarletteHTTPException

    class Problem(BaseModel):
        """Every refusal: one sentence that says what to send instead."""

        detail: str

    refusals: dict[int | str, dict[str, Any]] = {
        code: {"model": Problem, "description": what}
        for code, what in (
            (400, "the body is not JSON"),
            (401, "no key, or another than the server's"),
            (404, "no such model, or the text tools are not served"),
            (411, "the body's length is not stated"),
            (413, "the body is over the server's limit"),
            (422, "the request's data cannot be used (the library's own sentence)"),
            (503, "the request ran past the server's time limit"),
        )
    }
    app = FastAPI(
        title="seqlab",
        description="Forecasts from saved seqlab models, and the bundled text tools.",
        responses=refusals,
    )
    tools: dict[str, Any] = {}

    text_item = Annotated[str, Field(max_length=2_000)]

    class Texts(BaseModel):
        texts: list[text_item] = Field(max_length=1_000, examples=[["我爱北京天安门"]])

    class Translation(BaseModel):  # beam search: fewer texts a request
        texts: list[text_item] = Field(max_length=64, examples=[["我们明天去北京。"]])
        to: str | None = Field(None, examples=["en"])

    class Generation(BaseModel):
        prefix: str = Field("", max_length=1_000)
        max_tokens: int = Field(64, ge=1, le=1_000)
        temperature: float = Field(1.0, ge=0, le=10)  # 0: greedy
        seed: int | None = None

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable) -> Any:
        size = request.headers.get("content-length")
        if size is None and request.method in ("POST", "PUT", "PATCH"):
            return _error(
                411,
                "Content-Length of the request must be given; got a body of unstated length. "
                "Send the body whole (curl --data-binary, or any HTTP client's default).",
            )
        if size is not None and size.isdigit() and int(size) > max_bytes:
            return _error(
                413,
                f"body of the request must be at most {max_bytes:,} bytes; got {int(size):,}. "
                "Send fewer rows: the model reads only its lookback.",
            )
        open_routes = ("/health", "/docs", "/openapi.json", "/docs/oauth2-redirect")
        if api_key is not None and request.url.path not in open_routes:
            given = request.headers.get("x-api-key", "")
            if not hmac.compare_digest(given.encode(), api_key.encode()):
                return _error(
                    401,
                    "X-API-Key of the request must be the server's key; got "
                    "another or none. Send the key in the X-API-Key header.",
                )
        try:
            return await asyncio.wait_for(call_next(request), timeout)
        except TimeoutError:
            return _error(
                503,
                f"the request must finish within {timeout:g} s; it did not. "
                "Send fewer texts or rows, or raise --timeout.",
            )

    @app.exception_handler(SeqlabError)
    async def refused(request: Request, err: SeqlabError) -> Any:
        return _error(404 if isinstance(err, NotServed) else 422, str(err))

    @app.exception_handler(StarletteHTTPException)
    async def http_refusal(request: Request, err: StarletteHTTPException) -> Any:
        if err.status_code == 400:  # FastAPI's own: the body did not parse
            return _error(
                400,
                "body of the request must be JSON; got bytes that do not parse as JSON. Send "
                "a JSON object, or a CSV to /forecast/{name}/csv.",
            )
        return _error(err.status_code, str(err.detail))

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, err: RequestValidationError) -> Any:
        first = err.errors()[0] if err.errors() else {"loc": ("body",), "msg": "missing"}
        where = ".".join(str(part) for part in first["loc"])
        return _error(
            422,
            f"{where} of the request must be valid; got {str(first['msg']).lower()}. See the "
            "route's schema at /docs.",
        )

    def _error(status: int, detail: str) -> Any:
        return JSONResponse(status_code=status, content={"detail": detail})

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/models")
    def models() -> dict[str, Any]:
        return {
            "forecasters": {name: _describe(fc) for name, fc in forecasters.items()},
            "text": list(TEXT_ROUTES) if text else [],
        }

    @app.post("/forecast/{name:path}/csv")  # before the route it would match
    async def forecast_csv(name: str, request: Request) -> dict[str, Any]:
        fc = _forecaster(forecasters, name)
        data = await request.body()
        given = request.query_params.getlist("levels")
        levels = _levels([int(v) if v.isdigit() else v for v in given] if given else None)
        # reading and predicting block: in the thread pool, as the sync routes run
        future = await run_in_threadpool(
            lambda: fc.predict(_read_csv(data, fc), levels=levels or None)
        )
        return {"model": name, "forecast": _records(future)}

    @app.post("/forecast/{name:path}")
    def forecast(
        name: str,
        body: Annotated[
            dict[str, Any],
            Body(examples=[{"records": [{"date": "2024-01-02", "Close": 370.9}], "levels": [80]}]),
        ],
    ) -> dict[str, Any]:
        fc = _forecaster(forecasters, name)
        records, levels = _history(body, fc)
        future = fc.predict(records, levels=levels)
        return {"model": name, "forecast": _records(future)}

    def tool(kind: str) -> Any:
        if not text:
            raise NotServed(
                f"{kind} of seqlab serve must be served; got a server started with --no-text. "
                "Start it without --no-text.",
                param="text",
            )
        if kind not in tools:
            tools[kind] = _load_tool(kind)
        return tools[kind]

    @app.post("/segment")
    def segment(body: Texts) -> dict[str, Any]:
        return {"words": tool("segment").cut_many(body.texts)}

    @app.post("/tag")
    def tag(body: Texts) -> dict[str, Any]:
        return {"tags": [[list(p) for p in line] for line in tool("tag").tag_many(body.texts)]}

    @app.post("/sentiment")
    def sentiment(body: Texts) -> dict[str, Any]:
        clf = tool("sentiment")
        probs = clf.predict_proba(body.texts) if body.texts else []
        pos = clf.labels.index("pos")
        return {
            "labels": [clf.labels[int(p.argmax())] for p in probs],
            "p_pos": [float(p[pos]) for p in probs],
        }

    @app.post("/translate")
    def translate(body: Translation) -> dict[str, Any]:
        from seqlab.text.translate import translate as run

        # each direction's model loaded once, on its first request
        loaded = run(body.texts, to=body.to, load=lambda direction, _: tool(direction))
        return {"translations": loaded}

    @app.post("/generate")
    def generate(body: Generation) -> dict[str, Any]:
        from seqlab.text.poems import write_poem

        lm = tool("generate")  # a prefix in simplified characters gets a simplified poem
        return {
            "text": write_poem(
                lm,
                body.prefix,
                max_tokens=body.max_tokens,
                temperature=body.temperature,
                seed=body.seed,
            )
        }

    return app


def _describe(fc: Any) -> dict[str, Any]:
    return {
        "model": fc.model,
        "target": fc.target,
        "lookback": fc.lookback,
        "horizon": fc.horizon,
        "frequency": fc.freq_,
        "many_series": fc.is_global,
    }


def _forecaster(forecasters: dict[str, Any], name: str) -> Any:
    if name not in forecasters:
        raise NotServed(
            f"name of /forecast must be a served model; got {name!r}. Served: "
            f"{', '.join(forecasters) or 'none'} (GET /models).",
            param="name",
        )
    return forecasters[name]


def _history(body: dict[str, Any], fc: Any) -> tuple[pd.DataFrame, list[int] | None]:
    """A JSON body {"records": [{time column: ..., column: value, ...}, ...], "levels": [...]}
    as ``fc`` reads it from a file (see :func:`_read_csv`)."""
    from seqlab.errors import DataError

    records = body.get("records")
    if (
        not isinstance(records, list)
        or not records
        or not all(isinstance(r, dict) for r in records)
    ):
        raise DataError(
            "records of the request must be a non-empty list of rows, one object per time "
            'step; got none. Send {"records": [{"date": "2024-01-02", "Close": 370.9}, ...]}.',
            param="records",
        )
    levels = _levels(body.get("levels"))
    return _read_csv(pd.DataFrame(records).to_csv(index=False).encode(), fc), levels


def _levels(levels: Any) -> list[int] | None:
    """The interval levels a request asks for (a JSON list, or ``?levels=`` repeated)."""
    from seqlab.errors import DataError

    if levels is not None and not (
        isinstance(levels, list) and all(isinstance(v, int) for v in levels)
    ):
        raise DataError(
            f"levels of the request must be a list of whole percentages; got {levels!r}. "
            "Send, e.g., [80, 95] (or ?levels=80&levels=95 with a CSV).",
            param="levels",
        )
    return levels


def _read_csv(data: bytes, fc: Any) -> pd.DataFrame:
    """``data`` read as seqlab predict reads a file for ``fc``: a long table (read_long) for a
    model of many series, else a time-indexed one (read_table)."""
    from seqlab.data.table import read_long, read_table

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.csv"
        path.write_bytes(data)
        return read_long(path) if fc.is_global else read_table(path)


def _records(future: pd.DataFrame) -> list[dict[str, Any]]:
    """The forecast frame as JSON rows, its dates (the index, or a column) in ISO form."""
    frame = future if isinstance(future.index, pd.RangeIndex) else future.reset_index()
    out = io.StringIO()
    frame.to_json(out, orient="records", date_format="iso")
    return json.loads(out.getvalue())


def _load_tool(kind: str) -> Any:
    from seqlab.text import PosTagger, Segmenter, SentimentClassifier
    from seqlab.text.translate import DIRECTIONS, load_translator

    if kind == "segment":
        return Segmenter.pretrained()
    if kind == "tag":
        return PosTagger.pretrained()
    if kind == "sentiment":
        return SentimentClassifier.pretrained()
    if kind in DIRECTIONS:
        return load_translator(kind)
    from seqlab.text.poems import load_poet

    return load_poet()
