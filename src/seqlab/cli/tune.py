"""``seqlab tune``: search one model's settings with Optuna on the training and validation
rows; the best trial becomes a config.json that ``seqlab forecast --config`` reruns."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from seqlab.cli.forecast import DayFirst
from seqlab.config import RunConfig
from seqlab.errors import renamed

console = Console()
D = RunConfig()


def tune(
    data: Annotated[
        Path | None, typer.Option(help="CSV or Parquet file with a date column.")
    ] = None,
    dataset: Annotated[
        str | None, typer.Option(help=f"Bundled series \\[default: {D.dataset}].")
    ] = None,
    target: Annotated[str | None, typer.Option(help="Column to forecast.")] = None,
    features: Annotated[
        str | None, typer.Option(help="Comma-separated input columns \\[default: the target].")
    ] = None,
    date_col: Annotated[str | None, typer.Option(help="Name of the date column.")] = None,
    dayfirst: DayFirst = None,
    model: Annotated[str, typer.Option(help="The one model to tune.")] = "lstm",
    trials: Annotated[int, typer.Option(help="Trials to run (added to the study's).")] = 50,
    storage: Annotated[
        Path,
        typer.Option(
            help="The study's file: a journal (journal.log) or SQLite (study.db); several "
            "processes may share it."
        ),
    ] = Path("journal.log"),
    study: Annotated[str | None, typer.Option(help="Study name \\[default: seqlab-MODEL].")] = None,
    lookback: Annotated[int | None, typer.Option(help="Rows read.")] = None,
    horizon: Annotated[int | None, typer.Option(help="Steps forecast.")] = None,
    epochs: Annotated[int | None, typer.Option(help="Max epochs per trial.")] = None,
    device: Annotated[str | None, typer.Option(help="auto, cpu, cuda ...")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the sampler and the models.")] = None,
    out: Annotated[Path, typer.Option(help="Folder for the best trial's config.json.")] = Path(
        "runs/tune"
    ),
) -> None:
    """Search one model's settings with Optuna: TPE sampling over the model's declared
    space, median pruning on the validation loss, a journal or SQLite study that several
    processes can share. Only the training and validation rows are read; the test rows stay
    unseen. The best trial is written as OUT/config.json; seqlab forecast --config reruns it.

    Examples:

        seqlab tune --dataset msft --model lstm --trials 50 --storage journal.log

        seqlab forecast --config runs/tune/config.json
    """
    from seqlab.tasks.forecasting.tune import tune as run_tune

    given: dict[str, Any] = {
        "data": None if data is None else str(data),
        "dataset": dataset,
        "target": target,
        "features": None if features is None else [f.strip() for f in features.split(",")],
        "date_col": date_col,
        "dayfirst": dayfirst,
        "models": [model],
        "lookback": lookback,
        "horizon": horizon,
        "epochs": epochs,
        "device": device,
        "seed": seed,
    }
    config = RunConfig(**{k: v for k, v in given.items() if v is not None})

    def shown(trial: Any) -> None:
        value = "pruned" if trial.value is None else f"val {trial.value:.4f}"
        params = ", ".join(
            f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in trial.params.items()
        )
        console.print(f"trial {trial.number}: {value}  {params}", highlight=False)

    with renamed(models="model"):
        found = run_tune(config, trials, storage, out, study, on_trial=shown)
    best = found.best_trial
    console.print(
        f"best: trial {best.number}, val {best.value:.4f} of {len(found.trials)} trials in "
        f"{storage}. Wrote [bold]{out / 'config.json'}[/]; rerun it with: seqlab forecast "
        f"--config {out / 'config.json'}"
    )
