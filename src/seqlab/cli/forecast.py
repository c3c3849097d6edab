"""``seqlab forecast`` and ``seqlab predict``: parse, call the Python API, present."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from seqlab.config import RunConfig
from seqlab.datasets import NAMES
from seqlab.errors import renamed

if TYPE_CHECKING:
    import pandas as pd

console = Console()
D = RunConfig()  # the defaults live in one place: RunConfig


# Every command that reads --data: how to read dates such as 01.02.2020.
DayFirst = Annotated[
    bool | None,
    typer.Option(
        "--dayfirst/--monthfirst",
        help="Read dates such as 01.02.2020 day first or month first \\[default: as the values "
        "say (13.01 is day first); else day first with dots, month first with slashes].",
    ),
]


def _split(text: str | None) -> list[str] | None:
    return None if text is None else [t.strip() for t in text.split(",") if t.strip()]


def _model_params(items: list[str] | None) -> dict[str, dict[str, Any]] | None:
    """``["tcn.kernel_size=5", ...]`` → ``{"tcn": {"kernel_size": 5}}``; values read as YAML
    scalars (5 → int, 0.5 → float, true → bool, anything else → str)."""
    if not items:
        return None
    import yaml

    from seqlab.errors import ConfigError

    out: dict[str, dict[str, Any]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        model, dot, name = key.partition(".")
        if not (sep and dot and model.strip() and name.strip()):
            raise ConfigError(
                f"--param of seqlab forecast must be MODEL.NAME=VALUE; got {item!r}. Example: "
                "--param tcn.kernel_size=5."
            )
        out.setdefault(model.strip(), {})[name.strip()] = yaml.safe_load(value)
    return out


def forecast(
    data: Annotated[
        Path | None, typer.Option(help="CSV or Parquet file with a date column.")
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option(help=f"Bundled series: {', '.join(NAMES)} \\[default: {D.dataset}]."),
    ] = None,
    target: Annotated[
        str | None, typer.Option(help="Column to forecast \\[default: Close for msft].")
    ] = None,
    features: Annotated[
        str | None, typer.Option(help="Comma-separated input columns \\[default: the target].")
    ] = None,
    future_features: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated columns known for the forecast steps too (a load or weather "
            "forecast): the models read their values for each step they forecast; seqlab "
            "predict then needs --future."
        ),
    ] = None,
    static_features: Annotated[
        str | None,
        typer.Option(
            help="With --id-col: comma-separated columns holding one number per series (a "
            "store's size), fed with every row of it."
        ),
    ] = None,
    future: Annotated[
        Path | None,
        typer.Option(
            help="With --future-features: a file of their rows after the data (dated, from "
            "the next step on; with --id-col a long table, every series' next rows), for the "
            "forecast past the data's end."
        ),
    ] = None,
    calendar: Annotated[
        bool | None,
        typer.Option(
            "--calendar/--no-calendar",
            help=r"Hour, weekday and month as inputs, known ahead \[default: off].",
        ),
    ] = None,
    holidays: Annotated[
        str | None,
        typer.Option(
            help="Public holidays of this country (a code of the holidays package: US, DE, "
            "NO, BE, CN ...) as a 0/1 input known ahead."
        ),
    ] = None,
    date_col: Annotated[str | None, typer.Option(help="Name of the date column.")] = None,
    dayfirst: DayFirst = None,
    id_col: Annotated[
        str | None,
        typer.Option(
            help="Many series in long format: the column naming each series (one global "
            "model over all; M4's split: per series the last horizon rows test)."
        ),
    ] = None,
    time_col: Annotated[
        str | None,
        typer.Option(help=rf"With --id-col: the time column \[default: {D.time_col}]."),
    ] = None,
    levels: Annotated[
        str | None,
        typer.Option(help=r"Levels in % of the forecasts' bands \[default: 80,95]."),
    ] = None,
    models: Annotated[
        str | None,
        typer.Option(
            help=f"Comma-separated models \\[default: {','.join(D.models)}]; the "
            "baselines are added."
        ),
    ] = None,
    baselines: Annotated[
        str | None,
        typer.Option(
            help=f"Comma-separated baselines: naive, seasonal_naive, drift, mean, naive2, "
            "and the statistical models ets, arima, theta, mstl (pip install 'seqlab[stats]') "
            f"\\[default: {','.join(D.baselines)}]."
        ),
    ] = None,
    lookback: Annotated[
        int | None, typer.Option(help=f"Rows read \\[default: {D.lookback}].")
    ] = None,
    horizon: Annotated[
        int | None, typer.Option(help=f"Steps forecast \\[default: {D.horizon}].")
    ] = None,
    strategy: Annotated[
        str | None, typer.Option(help=f"direct or recursive \\[default: {D.strategy}].")
    ] = None,
    epochs: Annotated[int | None, typer.Option(help=f"Max epochs \\[default: {D.epochs}].")] = None,
    batch_size: Annotated[
        int | None, typer.Option(help=f"Windows per batch \\[default: {D.batch_size}].")
    ] = None,
    lr: Annotated[float | None, typer.Option(help=f"Learning rate \\[default: {D.lr}].")] = None,
    patience: Annotated[
        int | None,
        typer.Option(
            help="Epochs without a better validation loss before stopping "
            f"\\[default: {D.patience}]."
        ),
    ] = None,
    hidden_size: Annotated[
        int | None, typer.Option(help=f"Hidden size / d_model \\[default: {D.hidden_size}].")
    ] = None,
    num_layers: Annotated[
        int | None, typer.Option(help=f"Stacked layers \\[default: {D.num_layers}].")
    ] = None,
    dropout: Annotated[
        float | None, typer.Option(help=f"Dropout probability \\[default: {D.dropout}].")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            help="A model's own setting, MODEL.NAME=VALUE (repeat for more), e.g. "
            "tcn.kernel_size=5 or segrnn.patch_len=24."
        ),
    ] = None,
    revin: Annotated[
        bool | None,
        typer.Option("--revin/--no-revin", help="Normalise each window (RevIN) \\[default: on]."),
    ] = None,
    val_size: Annotated[
        float | None,
        typer.Option(help=f"Share of the rows for validation \\[default: {D.val_size}]."),
    ] = None,
    test_size: Annotated[
        float | None, typer.Option(help=f"Share of the rows for test \\[default: {D.test_size}].")
    ] = None,
    missing: Annotated[
        str | None,
        typer.Option(help=f"Missing values: error, ffill or interpolate \\[default: {D.missing}]."),
    ] = None,
    device: Annotated[
        str | None, typer.Option(help=f"auto, cpu, cuda, cuda:1 ... \\[default: {D.device}].")
    ] = None,
    seed: Annotated[int | None, typer.Option(help=f"Random seed \\[default: {D.seed}].")] = None,
    precision: Annotated[
        str | None,
        typer.Option(
            help="fp32, bf16 (autocast, float32 weights) or auto (bf16 where the device has "
            f"it natively: recent GPUs, CPUs with AVX512_BF16 or AMX) \\[default: {D.precision}]."
        ),
    ] = None,
    resume: Annotated[
        Path | None,
        typer.Option(
            help="Go on with the run in this folder after a kill or Ctrl-C, with its "
            "config.json (other options are ignored): finished models are kept, the one "
            "stopped part-way continues from its last checkpoint."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Run folder \\[default: runs/<timestamp>].")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            help="YAML/JSON run config (a run's config.json reruns it); options "
            "given here override it."
        ),
    ] = None,
) -> None:
    """Compare sequence models against naive baselines on one series; save everything.

    Splits the series in time order (70/10/20), fits the scaler on the training part only,
    trains each model with early stopping on the validation part, scores all of them on the
    test part in the data's own units, and writes a run folder: leaderboard, plots, HTML
    report, saved models and the next-horizon forecast.

    The defaults are the demo's, and some differ from the Python Forecaster's on purpose:
    horizon 5, 15 epochs, batch 64 and patience 4 keep four networks under three minutes on
    a CPU, and RevIN is on, since prices in the test years lie above the training years.

    With --id-col the data is many series in long format (one row per series and time):
    each network is one global model over all of them, naive, seasonal naive and M4's
    Naive2 always run, and the leaderboard holds the means over series (sMAPE, MASE, OWA,
    MSIS, coverage) and the series each model wins.

    Examples:

        seqlab forecast                      # MSFT Close, four networks

        seqlab forecast --data load.csv --target MW --models lstm,tcn

        seqlab forecast --data p.csv --target P --future-features load --calendar --horizon 24

        seqlab forecast --data sales.csv --id-col store --time-col date --target units

        seqlab forecast --data sales.csv --id-col store --target units --static-features size

        seqlab forecast --config runs/X/config.json   # rerun a run

        seqlab forecast --resume runs/X                # go on after a kill

        torchrun --nproc_per_node=4 -m seqlab forecast --data load.csv --target MW
    """
    from seqlab.cli import tables
    from seqlab.cli.launch import resume_hint, resumed
    from seqlab.config import load_config
    from seqlab.report import write_run
    from seqlab.tasks.forecasting.experiment import run_forecast
    from seqlab.train.distributed import is_main

    given: dict[str, Any] = {
        "data": None if data is None else str(data),
        "dataset": dataset,
        "target": target,
        "features": _split(features),
        "future_features": _split(future_features),
        "future": None if future is None else str(future),
        "static_features": _split(static_features),
        "calendar": calendar,
        "holidays": holidays,
        "date_col": date_col,
        "dayfirst": dayfirst,
        "id_col": id_col,
        "time_col": time_col,
        "levels": _levels(levels),
        "models": _split(models),
        "baselines": _split(baselines),
        "lookback": lookback,
        "horizon": horizon,
        "strategy": strategy,
        "epochs": epochs,
        "batch_size": batch_size,
        "lr": lr,
        "patience": patience,
        "hidden_size": hidden_size,
        "num_layers": num_layers,
        "dropout": dropout,
        "model_params": _model_params(param),
        "revin": revin,
        "val_size": val_size,
        "test_size": test_size,
        "missing": missing,
        "device": device,
        "seed": seed,
        "precision": precision,
    }
    overrides = {k: v for k, v in given.items() if v is not None}
    if resume is not None:
        cfg, folder = resumed(resume), resume
    else:
        cfg = load_config(config, **overrides) if config else RunConfig(**overrides)
        folder = out or Path("runs") / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    source = cfg.data or cfg.dataset

    def start(df: pd.DataFrame) -> None:
        if cfg.id_col is not None:
            console.print(
                f"[bold]seqlab forecast[/]: {source} ({len(df)} rows, "
                f"{df[cfg.id_col].nunique()} series) → {cfg.target or 'y'}, lookback "
                f"{cfg.lookback}, horizon {cfg.horizon}; global models "
                f"{', '.join(cfg.all_models())}"
            )
            return
        console.print(
            f"[bold]seqlab forecast[/]: {source} ({len(df)} rows, {df.index[0].date()} .. "
            f"{df.index[-1].date()}) → {cfg.resolved_target() or df.columns[0]}, lookback "
            f"{cfg.lookback}, horizon {cfg.horizon} ({cfg.strategy}); models "
            f"{', '.join(cfg.all_models())}"
        )

    with resume_hint(folder), renamed(model="models", model_params="param"):
        exp = run_forecast(
            cfg,
            folder,
            verbose=True,
            on_start=start,
            on_model=lambda name: console.print(f"[cyan]▸ {name}[/]"),
            resume=resume is not None,
        )
    if not is_main():
        return  # rank 0 draws and prints
    console.print("Drawing the plots and the report ...")
    write_run(exp)
    wide = Console(width=max(console.width, 110))
    if cfg.id_col is not None:
        from seqlab.report.panel import verdict as panel_verdict

        wide.print(tables.panel_table(exp.leaderboard, cfg.horizon))
        console.print(panel_verdict(exp))  # type: ignore[arg-type]
    else:
        from seqlab.report.html import verdict

        wide.print(tables.leaderboard_table(exp.leaderboard, exp.config.horizon))
        console.print(verdict(exp))
    console.print(
        f"Run folder: [bold]{folder}[/] (report.html, leaderboard.csv, plots, models); "
        f"{exp.seconds:.0f} s."
    )


def _levels(text: str | None) -> list[int] | None:
    from seqlab.errors import ConfigError

    if text is None:
        return None
    try:
        return [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise ConfigError(
            f"--levels of seqlab must be comma-separated whole percentages; got {text!r}. "
            "Example: --levels 80,95."
        ) from None


def predict(
    saved: Annotated[
        Path,
        typer.Option("--from", help="A model folder saved by seqlab forecast, e.g. runs/X/lstm."),
    ],
    data: Annotated[Path | None, typer.Option(help="CSV or Parquet file to continue.")] = None,
    dataset: Annotated[str | None, typer.Option(help="Or a bundled series, e.g. msft.")] = None,
    date_col: Annotated[str | None, typer.Option(help="Name of the date column.")] = None,
    dayfirst: DayFirst = None,
    levels: Annotated[
        str | None,
        typer.Option(help="Interval levels in %, e.g. 80,95: adds <name>-lo-95 / -hi-95."),
    ] = None,
    future: Annotated[
        Path | None,
        typer.Option(
            help="A file of the rows after the data (dated, from the next step on, at least "
            "horizon of them) with the model's future features."
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write the forecast to this CSV.")] = None,
) -> None:
    """Forecast the next steps after the end of the data with a saved model, with dates.

    A model trained on many series (seqlab forecast --id-col) forecasts every series of the
    long table given, as one long table.

    Examples:

        seqlab predict --from runs/X/lstm --data msft.csv --out next.csv

        seqlab predict --from runs/Y/lstm --data sales.csv --levels 80,95 --out next.csv

        seqlab predict --from runs/Z/nbeats --data prices.csv --future tomorrow.csv
    """
    from seqlab import datasets
    from seqlab.cli import tables
    from seqlab.data import read_table
    from seqlab.data.sources import write_csv
    from seqlab.errors import ConfigError
    from seqlab.tasks.forecasting.forecaster import Forecaster

    if (data is None) == (dataset is None):
        raise ConfigError(
            "data of seqlab predict must be given once, as --data PATH or --dataset NAME; got "
            f"{'both' if data else 'neither'}. Name the series to continue.",
            param="data",
        )
    with renamed(path="saved"):
        fc = Forecaster.load(saved)
    if fc.is_global:  # a global model: a long table in and out
        if data is None:
            raise ConfigError(
                f"data of seqlab predict must be a long table for a model of many series; "
                f"got the bundled {dataset!r}. Pass --data with the series to continue.",
                param="data",
            )
        from seqlab.data.table import read_long
        from seqlab.io import atomic_write

        with renamed(path="data"):
            long = read_long(data)
        known = None
        if future is not None:
            with renamed(path="future"):
                known = read_long(future)
        ahead_long = fc.predict(long, levels=_levels(levels), future=known)
        Console(width=max(console.width, 110)).print(tables.long_table(fc, ahead_long))
        if out is not None:
            atomic_write(Path(out), ahead_long.to_csv(index=False).encode())
            console.print(f"Written to [bold]{out}[/].")
        return
    with renamed(path="data"):
        df = (
            read_table(data, date_col, dayfirst)
            if data is not None
            else datasets.load(str(dataset))
        )
    ahead = None
    if future is not None:
        with renamed(path="future"):
            ahead = read_table(future, date_col, dayfirst)
    forecast = fc.predict(df, levels=_levels(levels), future=ahead)
    daily = all(t == t.normalize() for t in [*forecast.index, df.index[-1]])
    last = df.index[-1].date() if daily else df.index[-1]
    table = Table(title=f"{fc.model}: next {len(forecast)} steps after {last}")
    table.add_column("date")
    for column in forecast.columns:
        table.add_column(str(column), justify="right")
    for date, values in zip(forecast.index, forecast.to_numpy(), strict=True):
        table.add_row(str(date.date() if daily else date), *(f"{v:.4f}" for v in values))
    console.print(table)
    if out is not None:
        write_csv(forecast, out)
        console.print(f"Written to [bold]{out}[/].")
