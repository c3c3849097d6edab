"""``seqlab seq2seq``: train an encoder–decoder on any tab-separated pairs, and decode with
it; ``seqlab text translate`` (registered under ``seqlab text``) with the bundled translators."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from seqlab.cli.text import SavedSeq2Seq
from seqlab.errors import ConfigError, DataError, renamed

if TYPE_CHECKING:
    from seqlab.tasks import Seq2Seq
    from seqlab.tasks.seq2seq.model import Decoded

console = Console(stderr=True)

app = typer.Typer(
    help="Sequence to sequence on your own pairs: dates to ISO dates, words to pronunciations, "
    "one language to another.\n\n"
    "Examples:\n\n    seqlab seq2seq train --data pairs.tsv --model gru --out runs/s2s"
    '\n\n    seqlab seq2seq predict --from runs/s2s "3 March 2021" --beam 5',
    no_args_is_help=True,
)


def read_pairs(path: Path, reverse: bool = False) -> tuple[list[str], list[str], int]:
    """(sources, targets, empty lines skipped) of a file of ``source<TAB>target`` lines
    (further columns, such as an attribution, are ignored)."""
    from seqlab.cli.text import _read_utf8

    sources, targets, empty = [], [], 0
    where = "--data of seqlab seq2seq train"
    for number, line in enumerate(_read_utf8(path, where).splitlines(), 1):
        if not line.strip():
            empty += 1
            continue
        columns = line.lstrip("\ufeff").split("\t")
        if len(columns) < 2:
            raise DataError(
                f"{where} must hold a source and a target on each line, separated by a tab; "
                f"got one column on line {number} ({line[:40]!r}). Separate the two with a "
                "tab."
            )
        source, target = (columns[1], columns[0]) if reverse else (columns[0], columns[1])
        if not source.strip() or not target.strip():
            side = "source" if not source.strip() else "target"
            raise DataError(
                f"{where} must have a non-empty source and target on each line; got an empty "
                f"{side} on line {number}. Fill it in or delete the line."
            )
        sources.append(source.strip())
        targets.append(target.strip())
    if not sources:
        raise DataError(
            f"{where} must hold at least one pair; got none in {str(path)!r}. Write one "
            "source<TAB>target per line."
        )
    return sources, targets, empty


def notes(model: Seq2Seq, texts: list[str], numbers: list[int] | None = None) -> None:
    """One line on standard error per input the model may read poorly: tokens it never saw
    (read as <unk>), or more tokens than any training source had. ``numbers``: the inputs'
    line numbers (default 1, 2, ...)."""
    from seqlab.tasks.seq2seq.model import tokenize

    for number, text in zip(numbers or range(1, len(texts) + 1), texts, strict=True):
        unseen = model.unknown(text)
        if unseen:
            shown = " ".join(unseen[:5])
            console.print(
                f"note: line {number} has tokens the model never saw ({shown}); they are read "
                "as <unk>.",
                highlight=False,
                markup=False,
            )
        length = len(tokenize(text, model.source_tokens))
        if length > model.longest_source_:
            console.print(
                f"note: line {number} is longer ({length} tokens) than any training source "
                f"({model.longest_source_}); the output may be poor.",
                highlight=False,
            )


def shown(outputs: list[Decoded], ranked: bool) -> str:
    """The output of one input as printed: the text, or when ``ranked`` (n-best) one line per
    output with its rank and score, tab-separated."""
    if not ranked:
        return outputs[0].text
    return "\n".join(f"{rank}\t{d.score:.3f}\t{d.text}" for rank, d in enumerate(outputs, 1))


def draw(first: Decoded, plot: Path) -> None:
    """The attention map of ``first`` into ``plot``, or a note that there is none."""
    from seqlab.report.plots import attention_map

    if first.attention is None:
        console.print("note: no attention map: this model has no attention.")
        return
    attention_map(first.source, first.tokens, first.attention, plot, first.text)
    console.print(f"attention map: {plot}", highlight=False)


def decode_lines(
    model: Seq2Seq,
    texts: list[str],
    beam: int | None,
    n_best: int | None,
    plot: Path | None,
    numbers: list[int] | None = None,
) -> list[str]:
    """The printed output of each of ``texts`` (an empty line gives an empty output), after
    the notes on inputs the model may read poorly; the first input's attention drawn into
    ``plot``. ``beam`` and ``n_best``: Seq2Seq.decode's own when None."""
    notes(model, texts, numbers)
    given = {k: v for k, v in {"beam": beam, "n_best": n_best}.items() if v is not None}
    found = model.decode(texts, **given, return_attention=plot is not None)
    if plot is not None and texts:
        draw(found[0][0], plot)
    return [shown(outputs, (n_best or 1) > 1) for outputs in found]


Saved = Annotated[Path, typer.Option("--from", help="A folder saved by `seqlab seq2seq train`.")]
Beam = Annotated[
    int | None,
    typer.Option(help="Beam search with B beams; 1 is greedy \\[default: Seq2Seq.decode's]."),
]
NBest = Annotated[
    int | None,
    typer.Option(help="Print the N best outputs of each input (≤ --beam) \\[default: 1]."),
]
Plot = Annotated[
    Path | None, typer.Option(help="Draw the first input's attention (source × output) here.")
]


_S = " \\[default: Seq2Seq's]"  # the options left out take the estimator's own defaults


@app.command()
def train(
    data: Annotated[Path, typer.Option(help="source<TAB>target per line (UTF-8).")],
    model: Annotated[str | None, typer.Option(help="gru, lstm, rnn or transformer." + _S)] = None,
    attention: Annotated[
        str | None, typer.Option(help="general, dot, additive, or none (recurrent)." + _S)
    ] = None,
    source_tokens: Annotated[str | None, typer.Option(help="char, word or space." + _S)] = None,
    target_tokens: Annotated[str | None, typer.Option(help="char, word or space." + _S)] = None,
    hidden_size: Annotated[
        int | None, typer.Option(help="Width of the encoder and decoder." + _S)
    ] = None,
    embedding_dim: Annotated[
        int | None, typer.Option(help="Token embedding size (recurrent)." + _S)
    ] = None,
    num_layers: Annotated[
        int | None, typer.Option(help="Layers of the encoder and decoder." + _S)
    ] = None,
    epochs: Annotated[int | None, typer.Option(help="Training epochs at most." + _S)] = None,
    batch_size: Annotated[int | None, typer.Option(help="Pairs per batch." + _S)] = None,
    lr: Annotated[float | None, typer.Option(help="Learning rate." + _S)] = None,
    teacher_forcing: Annotated[
        float | None, typer.Option(help="Probability of feeding the gold previous token." + _S)
    ] = None,
    schedule: Annotated[
        str | None,
        typer.Option(help="constant, linear or inverse_sigmoid (scheduled sampling)." + _S),
    ] = None,
    label_smoothing: Annotated[float | None, typer.Option(help="Label smoothing." + _S)] = None,
    select: Annotated[
        str | None, typer.Option(help="Early stopping on: loss, exact, bleu or chrf." + _S)
    ] = None,
    val_size: Annotated[
        float | None, typer.Option(help="Share of the sources held out." + _S)
    ] = None,
    reverse: Annotated[bool, typer.Option(help="Read each line as target<TAB>source.")] = False,
    seed: Annotated[int | None, typer.Option(help="Same seed, same model." + _S)] = None,
    out: Annotated[Path, typer.Option(help="Folder to save the model in.")] = Path("runs/seq2seq"),
) -> None:
    """Train an encoder–decoder on tab-separated pairs, then score it on the held-out share.

    A --val-size share of the distinct sources (with all their pairs) is held out for early
    stopping and for the scores printed at the end (also written to scores.json). Empty
    lines are skipped; columns after the second are ignored. An option left out takes the
    default of seqlab.tasks.Seq2Seq (help(Seq2Seq) lists them).

    Examples:

        seqlab seq2seq train --data dates.tsv --epochs 10 --out runs/dates

        seqlab seq2seq train --data cmn.txt --reverse --target-tokens word --model transformer
    """
    from seqlab.data.pairs import hold_out_sources, references_by_source
    from seqlab.io import write_json
    from seqlab.tasks import Seq2Seq
    from seqlab.train.distributed import is_main

    given: dict[str, Any] = {
        "model": model,
        "attention": attention,
        "source_tokens": source_tokens,
        "target_tokens": target_tokens,
        "hidden_size": hidden_size,
        "embedding_dim": embedding_dim,
        "num_layers": num_layers,
        "epochs": epochs,
        "batch_size": batch_size,
        "lr": lr,
        "teacher_forcing": teacher_forcing,
        "schedule": schedule,
        "label_smoothing": label_smoothing,
        "select": select,
        "val_size": val_size,
        "seed": seed,
    }
    s2s = Seq2Seq(**{k: v for k, v in given.items() if v is not None}, verbose=True)
    if not 0 < s2s.val_size < 1:
        raise ConfigError(
            f"val_size of seqlab seq2seq train must be a fraction in (0, 1); got "
            f"{s2s.val_size}. Hold out e.g. 0.1 of the sources.",
            param="val_size",
        )
    sources, targets, empty = read_pairs(data, reverse)
    if empty:
        console.print(f"skipped {empty} empty line{'s' * (empty > 1)} of {data}", highlight=False)
    (train_s, train_t), held = hold_out_sources(sources, targets, s2s.val_size, s2s.seed)
    if not held[0]:
        raise DataError(
            f"--data of seqlab seq2seq train must hold at least two distinct sources, so one "
            f"can be held out; got {len(set(sources))}. Add pairs."
        )
    s2s.fit(train_s, train_t, validation=held)
    if not is_main():
        return  # under torchrun, rank 0 scores, saves and prints
    refs = references_by_source(*held)
    scores = s2s.evaluate(list(refs), list(refs.values()))
    s2s.set_params(verbose=False).save(out)
    write_json(out / "scores.json", {"held_out": scores, "history": s2s.history_})
    console.print(
        f"held out {scores['n']} sources: exact {scores['exact']:.1f} %, token error "
        f"{scores['per']:.1f} %, BLEU {scores['bleu']:.1f}, chrF {scores['chrf']:.1f}",
        highlight=False,
    )
    console.print(f"saved to {out}", highlight=False)


@app.command()
def predict(
    saved: Saved,
    text: Annotated[
        str | None, typer.Argument(help="The source; or use --file, or pipe lines in.")
    ] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="One source per line.")] = None,
    beam: Beam = None,
    n_best: NBest = None,
    plot: Plot = None,
) -> None:
    """Decode sources with a model saved by `seqlab seq2seq train`: one output per line.

    An empty line gives an empty output; tokens the model never saw, and sources longer than
    any it trained on, get a note on standard error.

    Example:

        seqlab seq2seq predict --from runs/dates "3 March 2021" --beam 5 --n-best 3
    """
    from seqlab.tasks import Seq2Seq

    with renamed(path="saved"):
        model = Seq2Seq.load(saved, device="cpu")
    from seqlab.cli.text import _texts

    texts = _texts(text, file, "seq2seq predict", example="3 March 2021")
    for line in decode_lines(model, texts, beam, n_best, plot):
        typer.echo(line)


def translate(
    text: Annotated[
        str | None, typer.Argument(help="The text; or use --file, or pipe lines in.")
    ] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="One text per line.")] = None,
    to: Annotated[
        str | None,
        typer.Option(help="en or zh \\[default: the other language of each line]."),
    ] = None,
    beam: Annotated[
        int | None,
        typer.Option(help="Beam search with B beams; 1 is greedy \\[default: translate's]."),
    ] = None,
    n_best: Annotated[
        int | None, typer.Option(help="The N best translations (≤ --beam) \\[default: 1].")
    ] = None,
    plot: Annotated[
        Path | None, typer.Option(help="Draw the first line's attention (source × output) here.")
    ] = None,
    saved: SavedSeq2Seq = None,
) -> None:
    """Translate between Chinese and English with the bundled Tatoeba models.

    A line with Chinese characters goes into English, any other into Chinese, unless --to
    says; an empty line stays empty. The models learned from short everyday sentences
    (Tatoeba, CC BY 2.0 FR: see ATTRIBUTION.md in the weights' folders).

    Examples:

        seqlab text translate "我们明天去北京。"

        seqlab text translate "Where is the station?" --to zh --beam 5

        seqlab text translate --file sentences.txt
    """
    from seqlab.cli.text import _texts
    from seqlab.text.translate import BEAM, load_translator, routes

    texts = _texts(text, file, "translate")
    beam = BEAM if beam is None else beam
    out = ["" for _ in texts]
    first = next((i for i, t in enumerate(texts) if t.strip()), None)
    for direction, rows in routes(texts, to, saved):
        with renamed(path="saved"):
            model = load_translator(direction or "zh-en", saved)
        drawn = plot if rows[0] == first else None  # the first line's map
        lines = decode_lines(
            model, [texts[i] for i in rows], beam, n_best, drawn, [i + 1 for i in rows]
        )
        for i, line in zip(rows, lines, strict=True):
            out[i] = line
    for line in out:
        typer.echo(line)
