"""``seqlab text``: segment, tag and classify Chinese text; train the tools again."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from seqlab.errors import DataError

console = Console(stderr=True)

app = typer.Typer(
    help="Chinese word segmentation, POS tagging and sentiment with the bundled models.\n\n"
    'Examples:\n\n    seqlab text segment "我毕业于华清远见成都中心" --word 华清远见'
    "\n\n    seqlab text sentiment --file reviews.txt"
    "\n\n    seqlab text train segment --epochs 8 --out runs/segmenter",
    no_args_is_help=True,
)

Text = Annotated[str | None, typer.Argument(help="The text; or use --file, or pipe lines in.")]
File = Annotated[Path | None, typer.Option("--file", "-f", help="One text per line (UTF-8).")]
Saved = Annotated[
    Path | None,
    typer.Option("--from", help="A folder saved by `seqlab text train` \\[default: bundled]."),
]
Words = Annotated[
    list[str] | None,
    typer.Option("--word", "-w", help="A user word to keep whole (repeat for more)."),
]


def _texts(text: str | None, file: Path | None, command: str) -> list[str]:
    """The input lines: the argument, the file's lines, or standard input's."""
    if text is not None and file is not None:
        raise DataError(
            f"input of seqlab text {command} must be a text or --file, not both; got both. "
            "Pass one of them."
        )
    if text is not None:
        return [text]
    if file is not None:
        try:
            return file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            reason = getattr(err, "strerror", None) or type(err).__name__
            raise DataError(
                f"--file of seqlab text {command} must be a readable UTF-8 text file; got "
                f"{str(file)!r} ({reason}). Check the path and the encoding."
            ) from None
    if sys.stdin.isatty():
        raise DataError(
            f"input of seqlab text {command} must be a text, --file or lines on standard "
            f'input; got none. Example: seqlab text {command} "我爱北京天安门".'
        )
    return sys.stdin.read().splitlines()


def _tagger(task: str, saved: Path | None, words: list[str] | None):
    from seqlab.text import load_tool

    tool = load_tool(task, saved)
    for word in words or []:
        tool.add_word(word)  # type: ignore[union-attr]
    return tool


@app.command()
def segment(
    text: Text = None,
    file: File = None,
    saved: Saved = None,
    word: Words = None,
    sep: Annotated[str, typer.Option(help="What to put between words.")] = " ",
) -> None:
    """Split Chinese text into words, one output line per input line.

    Examples:

        seqlab text segment "我毕业于华清远见成都中心人工智能专业" --word 华清远见

        seqlab text segment --file news.txt > news.seg.txt
    """
    texts = _texts(text, file, "segment")
    for words in _tagger("segment", saved, word).cut_many(texts):
        typer.echo(sep.join(words))


@app.command()
def tag(
    text: Text = None,
    file: File = None,
    saved: Saved = None,
    word: Words = None,
) -> None:
    """Words with their part of speech (People's Daily tags: n, v, ns, nr ...), as word/tag.

    Example:

        seqlab text tag "我爱北京天安门"
    """
    texts = _texts(text, file, "tag")
    for pairs in _tagger("pos", saved, word).tag_many(texts):
        typer.echo(" ".join(f"{w}/{t}" for w, t in pairs))


@app.command()
def sentiment(text: Text = None, file: File = None, saved: Saved = None) -> None:
    """Review sentiment: label, probability of "pos", and the text, tab-separated.

    An empty line gets "-" for both: there is nothing to judge.

    Example:

        seqlab text sentiment "房间很干净，服务也好"
    """
    from seqlab.text import load_tool

    texts = _texts(text, file, "sentiment")
    tool = load_tool("sentiment", saved)
    scored = [t for t in texts if t.strip()]
    probs = iter(tool.predict_proba(scored))  # type: ignore[union-attr]
    pos = tool.labels.index("pos")  # type: ignore[union-attr]
    for t in texts:
        if not t.strip():
            typer.echo(f"-\t-\t{t}")
            continue
        p = next(probs)[pos]
        typer.echo(f"{'pos' if p >= 0.5 else 'neg'}\t{p:.3f}\t{t}")


@app.command()
def train(
    task: Annotated[str, typer.Argument(help="segment, pos or sentiment.")],
    model: Annotated[str, typer.Option(help="Encoder: lstm, gru, rnn or transformer.")] = "lstm",
    epochs: Annotated[
        int | None, typer.Option(help="Max epochs \\[default: the recipe's].")
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="Train on the first N lines only (a quick run).")
    ] = None,
    members: Annotated[
        int | None,
        typer.Option(help="Models from seeds 0, 1, ..., averaged \\[default: the recipe's]."),
    ] = None,
    refit: Annotated[
        bool | None,
        typer.Option(
            help="Train on the training and validation lines together, every epoch, "
            "no early stopping \\[default: the recipe's: pos yes, segment and sentiment no]."
        ),
    ] = None,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, cuda:1 ...")] = "auto",
    out: Annotated[Path, typer.Option(help="Folder to save the model in.")] = Path("runs/text"),
) -> None:
    """Train a text tool on its corpus split (the bundled recipe), score it on the test split.

    The model lands in OUT/TASK; use it with --from, e.g. seqlab text segment --from
    runs/text/segment "...". The scores go to OUT/TASK/scores.json.

    Examples:

        seqlab text train segment --epochs 8

        seqlab text train sentiment --model gru --out runs/gru

        seqlab text train pos --members 1    # one model, not five

        seqlab text train pos --no-refit     # early stopping on val
    """
    from seqlab.io import write_json
    from seqlab.text import evaluate_tool
    from seqlab.text import train as train_tool

    extra = {k: v for k, v in {"members": members, "refit": refit}.items() if v is not None}
    tool = train_tool(task, model, epochs, limit, verbose=True, device=device, **extra)
    folder = tool.save(out / task)
    console.print("Scoring on the test split ...")
    scores = evaluate_tool(task, tool)
    write_json(folder / "scores.json", scores)
    shown = ", ".join(f"{k} {v:.2f}" for k, v in scores.items())
    console.print(f"{task}: {shown}. Saved to [bold]{folder}[/].")
