"""``seqlab bench``: reproducible benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

console = Console()

app = typer.Typer(
    help="Benchmarks under published protocols.\n\n"
    "Examples:\n\n    seqlab bench ltsf --dataset ETTh1 --horizon 96 --model segrnn\n\n"
    "    seqlab bench memory --task adding --model gru --length 50,100\n\n"
    "    seqlab bench m4 --frequency hourly --model naive2\n\n"
    "    seqlab bench epf --market NP",
    no_args_is_help=True,
)


@app.command()
def ltsf(
    dataset: Annotated[str, typer.Option(help="ETTh1, ETTh2, ETTm1 or ETTm2.")] = "ETTh1",
    horizon: Annotated[int, typer.Option(help="H: 96, 192, 336 or 720 in the literature.")] = 96,
    lookback: Annotated[int, typer.Option(help="L: 96, 336 or 720 in the literature.")] = 720,
    model: Annotated[str, typer.Option(help="segrnn, patchtst, dlinear, lstm, ...")] = "segrnn",
    epochs: Annotated[int, typer.Option(help="Max epochs (early stopping on val).")] = 10,
    patience: Annotated[int, typer.Option(help="Epochs without val improvement.")] = 3,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    revin: Annotated[
        bool | None,
        typer.Option("--revin/--no-revin", help="Wrap the model in RevIN \\[default: its preset]."),
    ] = None,
    quick: Annotated[bool, typer.Option(help="Smoke run in seconds; not a result.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write the result as JSON here.")] = None,
) -> None:
    """Train one model on ETT under the literature's protocol and score every test window.

    Multivariate in and out, splits 12/4/4 months, scaler fitted on train, MSE and MAE on
    the scaled data over all test windows. The data come from SEQLAB_DATA_DIR, the cache, or
    one download. The full grid: python benchmarks/ltsf.py.

    Examples:

        seqlab bench ltsf --dataset ETTh1 --horizon 96 --model segrnn

        seqlab bench ltsf --horizon 720 --lookback 720 --model segrnn --revin
    """
    from seqlab.bench.ltsf import PUBLISHED, run_ltsf
    from seqlab.io import write_json

    overrides = {} if revin is None else {"revin": revin}
    r = run_ltsf(
        dataset,
        model,
        horizon,
        lookback,
        epochs=epochs,
        patience=patience,
        seed=seed,
        quick=quick,
        verbose=not quick,
        **overrides,
    )
    table = Table(
        title=f"{dataset}, {model}, lookback {lookback}, horizon {horizon}"
        + (" (quick: not a result)" if quick else "")
    )
    for column in ("MSE", "MAE", "test windows", "epochs (best)", "s / epoch", "peak MB", "params"):
        table.add_column(column, justify="right")
    table.add_row(
        f"{r['mse']:.4f}",
        f"{r['mae']:.4f}",
        str(r["test_windows"]),
        f"{r['epochs']} ({r['best_epoch']})",
        f"{r['seconds_per_epoch']:.1f}",
        f"{r['peak_mb']:.0f}",
        f"{r['params']:,}",
    )
    console.print(table)
    if dataset == "ETTh1":
        for source, values in PUBLISHED.items():
            if horizon in values:
                console.print(f"  published, {source}: MSE {values[horizon]:.3f}")
    if out is not None:
        write_json(out, r)
        console.print(f"Written to [bold]{out}[/].")


@app.command()
def m4(
    frequency: Annotated[str, typer.Option(help="hourly (H 48) or weekly (H 13).")] = "hourly",
    model: Annotated[
        str, typer.Option(help="A model of the zoo or a baseline: naive2, lstm, dlinear, ...")
    ] = "naive2",
    epochs: Annotated[int, typer.Option(help="Max epochs (early stopping on val).")] = 10,
    lookback: Annotated[
        int | None, typer.Option(help="Rows read \\[default: 336 hourly, 52 weekly].")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    quick: Annotated[bool, typer.Option(help="40 series, 1 epoch: a smoke run.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write the result as JSON here.")] = None,
) -> None:
    """Score one model on M4 Hourly or Weekly under the organisers' protocol.

    The last H values of each series are the test part; one global model trains on all
    series; sMAPE, MASE (m = 24 hourly, 1 weekly), OWA against Naive2 and MSIS of 95 %
    conformal intervals, beside the published results. The data come from
    SEQLAB_DATA_DIR, the cache, or one download. The whole zoo: python benchmarks/m4.py.

    Examples:

        seqlab bench m4 --frequency hourly --model naive2

        seqlab bench m4 --frequency weekly --model lstm --epochs 5
    """
    from seqlab.bench.m4 import PUBLISHED, run_m4
    from seqlab.io import write_json

    extra = {} if lookback is None else {"lookback": lookback}
    r = run_m4(frequency, model, epochs=epochs, seed=seed, quick=quick, verbose=not quick, **extra)
    table = Table(
        title=f"M4 {r['frequency']}, {r['series']} series, horizon {r['horizon']}"
        + (" (quick: not a result)" if quick else ""),
        caption="dim rows: the organisers' published results (Evaluation and Ranks.xlsx)",
    )
    table.add_column("method", no_wrap=True)
    for column in ("sMAPE", "MASE", "OWA", "MSIS", "cover 95 %", "train s"):
        table.add_column(column, justify="right")
    msis = r.get("msis_random_walk", r["msis"])
    table.add_row(
        f"{model} (seqlab)",
        f"{r['smape']:.3f}",
        f"{r['mase']:.3f}",
        f"{r['owa']:.3f}",
        f"{msis:.3f}",
        f"{r['coverage_95']:.1f}",
        f"{r['train_seconds']:.0f}",
    )
    for name, (smape, mase, owa, published_msis) in PUBLISHED[r["frequency"]].items():
        shown = "" if published_msis is None else f"{published_msis:.3f}"
        table.add_row(
            name,
            f"{smape:.3f}",
            f"{mase:.3f}",
            f"{owa:.3f}",
            shown,
            "",
            "",
            style="dim",
        )
    Console(width=max(console.width, 110)).print(table)
    if "msis_random_walk" in r:
        console.print(
            f"naive's MSIS is M4's random-walk interval; its conformal one is {r['msis']:.3f}."
        )
    if out is not None:
        write_json(out, r)
        console.print(f"Written to [bold]{out}[/].")


@app.command()
def epf(
    market: Annotated[
        str,
        typer.Option(
            help="NP, PJM, BE, or the path of a file of that shape (date, price, "
            "exogenous forecasts)."
        ),
    ] = "NP",
    model: Annotated[
        str,
        typer.Option(
            help="A model of the zoo or lear (the paper's LASSO model), or several "
            "comma-separated: their forecasts averaged (the default: the ensemble chosen on "
            "validation)."
        ),
    ] = "segrnn,lear",
    price: Annotated[
        str | None, typer.Option(help="The price column \\[default: Price, else the first].")
    ] = None,
    before: Annotated[
        str | None,
        typer.Option(
            help="A date: read only the rows before it and test on the --test-days before it "
            "(a validation period, to choose models without the test part)."
        ),
    ] = None,
    recalibration: Annotated[
        str,
        typer.Option(
            help="none, weekly or daily: train further on the latest year every 7th or every "
            "test day (from the current weights; lear is re-estimated)."
        ),
    ] = "weekly",
    lear_recalibration: Annotated[
        str | None,
        typer.Option(
            help="none, weekly or daily: how often lear is re-estimated \\[default: as "
            "--recalibration]."
        ),
    ] = None,
    seeds: Annotated[
        int, typer.Option(help="Models of each network averaged (seeds 0, 1, ...).")
    ] = 4,
    future: Annotated[
        bool,
        typer.Option(
            "--future/--no-future",
            help="Feed the day's exogenous forecasts, calendar and holidays (off: the ablation).",
        ),
    ] = True,
    epochs: Annotated[int, typer.Option(help="Max epochs of the first fit.")] = 300,
    test_days: Annotated[int, typer.Option(help="Test days (the protocol's 728).")] = 728,
    out: Annotated[Path | None, typer.Option(help="Write the result as JSON here.")] = None,
) -> None:
    """Day-ahead electricity prices under the EPF protocol (Lago et al. 2021).

    The 24 prices of each test day from the prices before it and that day's exogenous
    forecasts (load, wind, generation), calendar and holidays; the last 728 days are the test
    part, the four years before train and validate. MAE, rMAE, sMAPE and RMSE beside the
    paper's naive, LEAR and DNN ensembles, with the Diebold–Mariano test against each. The
    default forecast averages SegRNN and seqlab's own LEAR (the paper's LASSO model),
    the ensemble chosen on the year before the test part. The files come from
    SEQLAB_DATA_DIR, the cache, or one download.

    Examples:

        seqlab bench epf --market NP

        seqlab bench epf --market NP --model lear --lear-recalibration daily

        seqlab bench epf --market PJM --no-future --recalibration none --seeds 1

        seqlab bench epf --market BE --model nbeats,segrnn --before 2015-01-04

        seqlab bench epf --market prices.csv --price "Day-ahead price"
    """
    from seqlab.bench.epf import run_epf
    from seqlab.io import write_json

    r = run_epf(
        market,
        model=model,
        price=price,
        before=before,
        recalibration=recalibration,
        lear_recalibration=lear_recalibration,
        seeds=seeds,
        future=future,
        epochs=epochs,
        test_days=test_days,
        verbose=True,
    )
    table = Table(
        title=f"EPF {r['market']}: {len(r['days'])} test days {r['test'][0]} .. {r['test'][1]}",
        caption="DM p: the one-sided Diebold–Mariano p-value that seqlab is more accurate",
    )
    table.add_column("method", no_wrap=True)
    for column in ("MAE", "rMAE", "sMAPE %", "RMSE", "DM p"):
        table.add_column(column, justify="right")
    shown = list(r["rows"].items())
    if len(r["members"]) > 1:  # an ensemble: each network's own scores after the mean's
        shown[1:1] = [(f"  {name} alone", row) for name, row in r["members"].items()]
    for name, row in shown:
        p = r["dm"].get(name, {}).get("p_seqlab_better")
        table.add_row(
            f"{model} (seqlab)" if name == "seqlab" else name,
            f"{row['mae']:.3f}",
            f"{row['rmae']:.3f}",
            f"{row['smape']:.2f}",
            f"{row['rmse']:.3f}",
            "" if p is None else f"{p:.3f}",
            style=None if name == "seqlab" else "dim",
        )
    Console(width=max(console.width, 100)).print(table)
    console.print(
        f"First fit {r['train_seconds']:.0f} s; {r['updates']} recalibrations "
        f"{r['update_seconds']:.0f} s; forecasts {r['predict_seconds']:.0f} s (2 CPU cores here)."
    )
    if out is not None:
        write_json(out, {k: v for k, v in r.items() if k not in ("forecast", "member_forecasts")})
        console.print(f"Written to [bold]{out}[/].")


@app.command()
def memory(
    task: Annotated[str, typer.Option(help="adding, copy, or both: adding,copy.")] = "adding,copy",
    model: Annotated[
        str, typer.Option("--model", help="Backbones, comma-separated.")
    ] = "rnn,lstm,gru,transformer,tcn",
    length: Annotated[str, typer.Option(help="Lengths T, comma-separated.")] = "50,100,200,400,800",
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    quick: Annotated[bool, typer.Option(help="A tenth of the budget: a smoke run.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write the results as JSON here.")] = None,
    plot: Annotated[Path | None, typer.Option(help="Draw the training curves here (PNG).")] = None,
) -> None:
    """The long-memory benchmark: the adding problem and copy memory (the TCN repository's
    variants), each backbone at each length T under one budget; the longest T solved.

    Solved: a test MSE below 0.01 on adding (trivial: 1/6), a test cross-entropy below 10 %
    of the trivial 10·ln 8/(T+20) on copy memory. The budget: at most 3,000 steps of batch 32
    (30 epochs of 3,200 generated sequences), AdamW at 2e-3, clipping at 1, stopping once the
    validation loss is below half the bar. A model that fails at one T is not run at longer ones.
    The whole grid takes tens of minutes on 2 CPU cores (docs/results/memory.md says how
    long it took); python benchmarks/memory.py runs it and updates the docs.

    Examples:

        seqlab bench memory --task adding --model gru --length 50,100

        seqlab bench memory --quick
    """
    from seqlab.bench.memory import BUDGET, TASKS, Budget, longest_solved, run_grid
    from seqlab.errors import ConfigError
    from seqlab.io import write_json
    from seqlab.models.steps import STEP_KINDS

    tasks = [t.strip() for t in task.split(",") if t.strip()]
    kinds = [k.strip() for k in model.split(",") if k.strip()]
    try:
        lengths = [int(v) for v in length.split(",") if v.strip()]
    except ValueError:
        lengths = []
    if not tasks or set(tasks) - set(TASKS) or not kinds or set(kinds) - set(STEP_KINDS):
        raise ConfigError(
            f"--task must be among {', '.join(TASKS)} and --model among {', '.join(STEP_KINDS)}; "
            f"got {task!r} and {model!r}. Write e.g. --task adding --model gru,lstm."
        )
    if not lengths or min(lengths) < 2:
        raise ConfigError(
            f"--length must be integers of at least 2, comma-separated; got {length!r}. "
            "Write e.g. --length 50,100."
        )
    budget = Budget(train=320, val=100, test=200, epochs=3) if quick else BUDGET

    def shown(r: dict) -> None:
        if r["skipped"]:
            console.print(f"{r['task']} {r['model']} T={r['length']}: not run (failed shorter)")
        else:
            console.print(
                f"{r['task']} {r['model']} T={r['length']}: test loss "
                f"{r['test_loss']:.4g} (bar {r['threshold']:.3g}), "
                f"{'solved' if r['solved'] else 'not solved'}, {r['seconds']:.0f} s",
                highlight=False,
            )

    results = run_grid(tasks, kinds, lengths, budget, seed, on_result=shown)
    table = Table(title="longest T solved" + (" (quick: not a result)" if quick else ""))
    table.add_column("model")
    for t in tasks:
        table.add_column(t, justify="right")
    for kind in kinds:
        found = [longest_solved(results, t, kind) for t in tasks]
        table.add_row(kind, *("none" if v is None else str(v) for v in found))
    console.print(table)
    if plot is not None:
        from seqlab.explain.figures import memory_curves

        memory_curves(results, plot)
        console.print(f"Curves drawn in [bold]{plot}[/].")
    if out is not None:
        write_json(out, {"budget": vars(budget), "runs": results})
        console.print(f"Written to [bold]{out}[/].")
