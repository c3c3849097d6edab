"""``seqlab serve``: saved forecasters and the bundled text tools over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seqlab.errors import ConfigError, renamed


def serve(
    model: Annotated[
        list[Path] | None,
        typer.Option(
            "--model",
            help="A model folder (runs/X/lstm) or a run folder (runs/X); repeat for more.",
        ),
    ] = None,
    text: Annotated[
        bool, typer.Option("--text/--no-text", help="Serve the bundled text tools.")
    ] = True,
    host: Annotated[
        str, typer.Option(help="Address to bind; beyond localhost, set --api-key.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    api_key: Annotated[
        str | None,
        typer.Option(help="Ask every request (but /health and /docs) for this X-API-Key."),
    ] = None,
    max_bytes: Annotated[int, typer.Option(help="Largest request body, in bytes.")] = 1_000_000,
    timeout: Annotated[float, typer.Option(help="Longest a request may take, in seconds.")] = 30.0,
) -> None:
    """Serve saved forecasters and the text tools over HTTP; the API's page is at /docs.

    A model that fails to load stops the server before it starts, with one sentence.

    Examples:

        seqlab serve --model runs/demo/lstm

        curl -s localhost:8000/forecast/lstm -H 'content-type: application/json' -d @history.json

        seqlab serve --model runs/demo --host 0.0.0.0 --api-key "$KEY"
    """
    try:
        import uvicorn

        from seqlab.serve import create_app, load_forecasters
    except ImportError:
        raise ConfigError(
            "serve of seqlab needs FastAPI and uvicorn; they are not installed. Install them "
            "with pip install 'seqlab[serve]'.",
            param="model",
        ) from None
    if host not in ("127.0.0.1", "localhost", "::1") and api_key is None:
        typer.echo(
            f"warning: serving on {host} without --api-key: anyone who reaches it may call it"
        )
    with renamed(path="model"):
        forecasters = load_forecasters(list(model or []))
    app = create_app(forecasters, text=text, api_key=api_key, max_bytes=max_bytes, timeout=timeout)
    typer.echo(
        f"serving {len(forecasters)} forecaster(s){' and the text tools' if text else ''} "
        f"on http://{host}:{port} (API page: /docs)"
    )
    uvicorn.run(app, host=host, port=port, log_level="warning")
