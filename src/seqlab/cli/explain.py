"""``seqlab explain``: look inside the models, measured.

Each command writes its PNGs and one self-contained HTML page into ``--out``
and prints its numbers; the work is done by :mod:`seqlab.explain`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from seqlab.cli.forecast import DayFirst
from seqlab.errors import renamed

console = Console()

app = typer.Typer(
    help="Look inside the models: equations against kernels, BPTT by hand, gradients through "
    "time, gates, attention, positions.\n\nExamples:\n\n    seqlab explain parity --dtype "
    "float32\n\n    seqlab explain gradients --model rnn,lstm,gru,transformer --length 200"
    "\n\n    seqlab explain gates runs/X/lstm",
    no_args_is_help=True,
)

_Out = Annotated[
    Path | None,
    typer.Option(help="Folder for the PNGs and index.html \\[default: runs/explain/COMMAND]."),
]


def _folder(out: Path | None, name: str) -> Path:
    return out if out is not None else Path("runs") / "explain" / name


def _show(study: Any) -> None:
    wide = Console(width=max(console.width, 100))  # the tables' columns whole, not cut
    for table in study.tables:
        wide.print(table)
    console.print(f"page: {study.page}", highlight=False)


@app.command()
def parity(
    dtype: Annotated[str, typer.Option(help="float32 or float64.")] = "float64",
    layers: Annotated[int, typer.Option(help="Stacked layers.")] = 2,
    bidirectional: Annotated[bool, typer.Option(help="Add reverse-direction layers.")] = True,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    out: _Out = None,
) -> None:
    """Run every cell from its equations beside torch's fused kernel and print the differences.

    A padded batch of unequal lengths goes through both backends of seqlab.nn.Recurrent with the
    same weights; the table shows the largest absolute difference in outputs, final states, and
    gradients of the input and the weights.

    Example:

        seqlab explain parity --dtype float32 --layers 1
    """
    from seqlab.explain.blocks import parity_study

    _show(parity_study(_folder(out, "parity"), dtype, layers, bidirectional, seed))


def _numbers(text: str, option: str) -> tuple[float, ...]:
    from seqlab.errors import ConfigError

    try:
        values = tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        values = ()
    if not values or any(v <= 0 for v in values):
        raise ConfigError(
            f"{option} must be positive numbers separated by commas; got {text!r}. "
            f"Write e.g. {option} 0.5,1,2."
        )
    return values


@app.command()
def bptt(
    length: Annotated[int, typer.Option(help="Steps L: the last L daily MSFT returns.")] = 50,
    hidden: Annotated[int, typer.Option(help="Hidden size H.")] = 16,
    scales: Annotated[
        str, typer.Option(help="Largest singular values of W to compare, comma-separated.")
    ] = "0.5,1,2",
    seed: Annotated[int, typer.Option(help="Random seed of the weights.")] = 0,
    out: _Out = None,
) -> None:
    """Backpropagation through time by hand: an Elman RNN's backward pass in NumPy, checked
    against autograd, and the per-step factor that makes gradients vanish or explode.

    The RNN reads the last L daily returns of the bundled MSFT series and predicts each next
    one. For each scale of W: the largest difference between the hand-written gradients
    (δ_t = (Vᵀ δy_t + Wᵀ δ_{t+1}) ⊙ (1 − h_t²)) and autograd's, in float64; then per step
    t the factor ‖∂h_t/∂h_{t-1}‖ = ‖diag(1 − h_t²) W‖₂, its running product and the exact
    ‖∂h_t/∂h_0‖.

    Example:

        seqlab explain bptt --length 100 --scales 0.9,1.5,3
    """
    from seqlab.explain.study import bptt_study

    _show(bptt_study(_folder(out, "bptt"), length, hidden, _numbers(scales, "--scales"), seed))


@app.command()
def gradients(
    model: Annotated[
        str,
        typer.Option(
            "--model", help="Backbones, comma-separated: rnn, lstm, gru, transformer, tcn."
        ),
    ] = "rnn,lstm,gru,transformer",
    length: Annotated[int, typer.Option(help="Steps L of the adding-problem sequences.")] = 200,
    steps: Annotated[int, typer.Option(help="Training steps (batch 32) per condition.")] = 100,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    out: _Out = None,
) -> None:
    """Gradients through time: ‖∂L/∂h_k‖, the loss at the last step against the state k
    steps back, for each backbone, at initialisation and after training on the adding
    problem with and without gradient clipping; one log-scale plot, decay slopes fitted.

    Example:

        seqlab explain gradients --model rnn,lstm,gru,transformer --length 200
    """
    from seqlab.errors import ConfigError
    from seqlab.explain.study import gradients_study
    from seqlab.models.steps import STEP_KINDS

    kinds = [k.strip() for k in model.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in STEP_KINDS]
    if unknown or not kinds:
        raise ConfigError(
            f"--model must name backbones among {', '.join(STEP_KINDS)}; got {model!r}. "
            "Write e.g. --model rnn,lstm."
        )
    if length < 2 or steps < 1:
        raise ConfigError(
            f"--length must be at least 2 and --steps at least 1; got {length} and {steps}. "
            "Pass e.g. --length 200 --steps 100."
        )
    with console.status(f"training {len(kinds)} model(s) twice for {steps} steps at L = {length}"):
        study = gradients_study(_folder(out, "gradients"), kinds, length, steps, seed)
    _show(study)


@app.command()
def positions(
    length: Annotated[int, typer.Option(help="Positions.")] = 100,
    d_model: Annotated[int, typer.Option(help="Model width d.")] = 64,
    out: _Out = None,
) -> None:
    """Draw the sinusoidal positional encoding and the dot product between positions
    against their distance.

    Example:

        seqlab explain positions --length 200 --d-model 128
    """
    from seqlab.explain.blocks import positions_study

    _show(positions_study(_folder(out, "positions"), length, d_model))


def _forecaster(
    run: Path | None,
    data: Path | None,
    dataset: str | None,
    date_col: str | None,
    kind: str,
    dayfirst: bool | None = None,
) -> tuple[Any, Any, str]:
    """A saved forecaster and the data to read with it, or, without a folder, a small
    ``kind`` forecaster trained on the bundled MSFT close (a few epochs)."""
    from seqlab import datasets
    from seqlab.data import read_table
    from seqlab.errors import ConfigError
    from seqlab.tasks.forecasting.forecaster import Forecaster

    if run is not None and not (run / "config.json").is_file():
        raise ConfigError(
            f"run of seqlab explain must be a model folder saved by seqlab forecast (with its "
            f"config.json); got {str(run)!r}. Pass e.g. runs/X/lstm.",
            param="run",
        )
    with renamed(path="data"):
        df = (
            read_table(data, date_col, dayfirst)
            if data is not None
            else datasets.load(dataset or "msft")
        )
    if run is not None:
        with renamed(path="run"):
            return Forecaster.load(run, device="cpu"), df, str(run)
    fc = Forecaster(
        model=kind,
        target="Close",
        lookback=60,
        horizon=5,
        hidden_size=32,
        num_layers=2,
        epochs=3,
        device="cpu",
        seed=0,
    )
    with console.status(f"no RUN_DIR: training a small {kind} on msft's Close (3 epochs)"):
        fc.fit(df)
    return fc, df, f"a small {kind} just trained on msft"


_Run = Annotated[
    Path | None,
    typer.Argument(
        help="A model folder saved by seqlab forecast \\[default: train a small one on msft]."
    ),
]
_Data = Annotated[Path | None, typer.Option(help="CSV or Parquet file whose last window to read.")]
_Dataset = Annotated[str | None, typer.Option(help="Or a bundled series \\[default: msft].")]
_DateCol = Annotated[str | None, typer.Option(help="Name of the date column.")]


@app.command()
def gates(
    run: _Run = None,
    data: _Data = None,
    dataset: _Dataset = None,
    date_col: _DateCol = None,
    dayfirst: DayFirst = None,
    model: Annotated[str, typer.Option(help="lstm or gru, when no RUN_DIR is given.")] = "lstm",
    out: _Out = None,
) -> None:
    """Draw an LSTM's input, forget and output gates, or a GRU's reset and update gates, over
    the last window of your data as heat maps (unit × step).

    Examples:

        seqlab explain gates runs/X/lstm --dataset msft

        seqlab explain gates --model gru
    """
    from seqlab.explain.look import gates_study

    fc, df, source = _forecaster(run, data, dataset, date_col, model, dayfirst)
    _show(gates_study(_folder(out, "gates"), fc, df, source))


@app.command()
def attention(
    run: _Run = None,
    data: _Data = None,
    dataset: _Dataset = None,
    date_col: _DateCol = None,
    dayfirst: DayFirst = None,
    text: Annotated[
        str, typer.Option(help="A sentence for the translator (Chinese → English, or back).")
    ] = "我们明天去北京。",
    translator: Annotated[
        Path | None,
        typer.Option(help="A folder saved by seqlab seq2seq train \\[default: bundled]."),
    ] = None,
    forecaster: Annotated[
        bool, typer.Option(help="Draw the Transformer forecaster (--no-forecaster: skip).")
    ] = True,
    out: _Out = None,
) -> None:
    """Draw the attention weights of a Transformer forecaster per head and layer, and of the
    translator (source × output) for one sentence.

    Examples:

        seqlab explain attention runs/X/transformer --dataset msft

        seqlab explain attention --no-forecaster --text "Where is the station?"
    """
    from seqlab.explain.look import attention_study
    from seqlab.text.translate import direction_for, load_translator

    fc, df, source = (
        (None, None, "")
        if not forecaster
        else _forecaster(run, data, dataset, date_col, "transformer", dayfirst)
    )
    translated = None
    if text.strip():
        model = load_translator(direction_for(text, None), translator)
        translated = model.decode([text], beam=1, return_attention=True)[0][0]
    _show(attention_study(_folder(out, "attention"), fc, df, source, translated, text))
