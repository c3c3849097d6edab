"""``seqlab data``: get series onto disk in the shape ``seqlab forecast`` reads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()

app = typer.Typer(
    help="Get data: download daily prices to CSV.\n\n"
    "Example:\n\n    seqlab data fetch yfinance MSFT --start 2015-01-01 --out msft.csv",
    no_args_is_help=True,
)
fetch = typer.Typer(
    help="Download daily prices to a CSV that `seqlab forecast --data` reads (needs the "
    "network and the data extra).\n\nExample:\n\n    seqlab data fetch tushare 000001 --index "
    "--start 2019-01-01 --out sse.csv",
    no_args_is_help=True,
)
app.add_typer(fetch, name="fetch")

Start = Annotated[str | None, typer.Option(help="First date, YYYY-MM-DD.")]
End = Annotated[str | None, typer.Option(help="Last date, YYYY-MM-DD \\[default: today].")]
Out = Annotated[Path, typer.Option(help="CSV file to write.")]


def _written(df, out: Path) -> None:
    from seqlab.data.sources import write_csv

    write_csv(df, out)
    console.print(f"{len(df)} rows, {df.index[0].date()} .. {df.index[-1].date()} → [bold]{out}[/]")


@fetch.command()
def yfinance(
    ticker: Annotated[str, typer.Argument(help="Yahoo Finance ticker, e.g. MSFT or 600519.SS.")],
    start: Start = None,
    end: End = None,
    out: Out = Path("prices.csv"),
) -> None:
    """Daily OHLCV from Yahoo Finance (adjusted for splits and dividends).

    Example:

        seqlab data fetch yfinance AAPL --start 2010-01-01 --out aapl.csv
    """
    from seqlab.data.sources import fetch_yfinance

    _written(fetch_yfinance(ticker, start, end), out)


@fetch.command()
def tushare(
    code: Annotated[str, typer.Argument(help="A-share code: 000001 (classic) or 000001.SZ (Pro).")],
    start: Start = None,
    end: End = None,
    out: Out = Path("prices.csv"),
    index: Annotated[bool, typer.Option(help="The code is an index (classic API).")] = False,
    token: Annotated[
        str | None, typer.Option(help="tushare Pro token \\[default: $TUSHARE_TOKEN].")
    ] = None,
) -> None:
    """Daily OHLCV from tushare: Pro's daily with a token, else the classic get_k_data.

    Example:

        seqlab data fetch tushare 000001 --index --start 2019-01-01
    """
    from seqlab.data.sources import fetch_tushare

    _written(fetch_tushare(code, start, end, token=token, index=index), out)
