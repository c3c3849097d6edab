"""``seqlab text``: segment, tag and classify Chinese text, generate poems, translate
between Chinese and English; train the tools and language models again."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from seqlab.errors import DataError, renamed

console = Console(stderr=True)

# Options left out take the library's defaults, said so in their help.
_LM = " \\[default: LanguageModel's]"
_GEN = " \\[default: LanguageModel.generate's]."
# The command's own sampling preset for poems: nucleus sampling at 0.8 (nanoGPT's sample.py
# samples at 0.8 too). The library's generate samples from the model's distribution as it is
# (temperature 1, no filter), the reference a Python user starts from.
POEM_SAMPLING = {"temperature": 0.8, "top_p": 0.9}

app = typer.Typer(
    help="Chinese word segmentation, POS tagging, sentiment, poems, translation and English "
    "pronunciation with the bundled models; language models on your own text.\n\n"
    'Examples:\n\n    seqlab text segment "我毕业于华清远见成都中心" --word 华清远见'
    "\n\n    seqlab text sentiment --file reviews.txt"
    "\n\n    seqlab text generate 春 --form 5x4 --seed 1"
    '\n\n    seqlab text translate "我们明天去北京。"'
    "\n\n    seqlab text pronounce hello world"
    "\n\n    seqlab text train lm --data input.txt --model gru --out runs/lm"
    "\n\n    seqlab text train segment --epochs 8 --out runs/segmenter",
    no_args_is_help=True,
)

Text = Annotated[str | None, typer.Argument(help="The text; or use --file, or pipe lines in.")]
File = Annotated[Path | None, typer.Option("--file", "-f", help="One text per line (UTF-8).")]
Saved = Annotated[
    Path | None,
    typer.Option("--from", help="A folder saved by `seqlab text train` \\[default: bundled]."),
]
SavedSeq2Seq = Annotated[
    Path | None,
    typer.Option("--from", help="A folder saved by `seqlab seq2seq train` \\[default: bundled]."),
]
Words = Annotated[
    list[str] | None,
    typer.Option("--word", "-w", help="A user word to keep whole (repeat for more)."),
]


def _texts(
    text: str | None, file: Path | None, command: str, example: str = "我爱北京天安门"
) -> list[str]:
    """The input lines of ``seqlab text <command>`` (or of a ``command`` that names its
    group, "seq2seq predict"): the argument, the file's lines, or standard input's."""
    command = command if " " in command else f"text {command}"
    if text is not None and file is not None:
        raise DataError(
            f"input of seqlab {command} must be a text or --file, not both; got both. "
            "Pass one of them."
        )
    if text is not None:
        return [text]
    if file is not None:
        return _read_utf8(file, f"--file of seqlab {command}").splitlines()
    if sys.stdin.isatty():
        raise DataError(
            f"input of seqlab {command} must be a text, --file or lines on standard "
            f'input; got none. Example: seqlab {command} "{example}".'
        )
    return _decode(sys.stdin.buffer.read(), f"standard input of seqlab {command}").splitlines()


def _decode(data: bytes, where: str) -> str:
    """The text of ``data``: UTF-8 (a byte-order mark dropped, not read as a character), or,
    when the bytes are not UTF-8, GB18030 (GBK's superset: what Chinese Windows writes),
    with a note; else one sentence saying so."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise DataError(
            f"{where} must be UTF-8 (or GBK/GB18030) text; got bytes that are neither. "
            "Convert it to UTF-8, e.g. iconv -f BIG5 -t UTF-8."
        ) from None
    console.print(f"note: {where} is not UTF-8; read it as GBK/GB18030.", markup=False)
    return text


def _read_utf8(path: Path, where: str) -> str:
    """The text of the file ``path`` (see :func:`_decode`), or one sentence saying why it
    cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise DataError(
            f"{where} must be a readable UTF-8 text file; got {str(path)!r} ({err.strerror}). "
            "Check the path and the encoding."
        ) from None
    return _decode(data, f"{where} ({str(path)!r})")


def _tagger(task: str, saved: Path | None, words: list[str] | None):
    from seqlab.text import load_tool

    with renamed(path="saved"):
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
    with renamed(path="saved"):
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
def pronounce(
    words: Annotated[
        list[str] | None,
        typer.Argument(help="English words; or use --file, or pipe lines in (one word each)."),
    ] = None,
    file: File = None,
    beam: Annotated[int, typer.Option(help="Beam search with B beams; 1 is greedy.")] = 5,
    n_best: Annotated[int, typer.Option(help="The N best pronunciations (≤ --beam).")] = 1,
    saved: SavedSeq2Seq = None,
) -> None:
    """English words to ARPAbet phonemes (CMUdict's, stress left out), word and phonemes
    tab-separated; with --n-best, one line per pronunciation.

    Examples:

        seqlab text pronounce hello seqlab

        seqlab text pronounce --file words.txt --n-best 3 --beam 5
    """
    from seqlab.text.pronounce import pronounce

    if words and file is not None:
        raise DataError(
            "input of seqlab text pronounce must be words or --file, not both; got both. "
            "Pass one of them."
        )
    listed = list(words) if words else _texts(None, file, "pronounce", example="hello")
    listed = [w for w in listed if w.strip()]
    with renamed(path="saved"):  # the spelling is checked before the model is read
        found_all = pronounce(listed, beam, n_best, path=saved)
    for word, found in zip(listed, found_all, strict=True):
        for phonemes in found:
            typer.echo(f"{word.strip()}\t{phonemes}")


@app.command()
def generate(
    prefix: Annotated[
        str | None, typer.Argument(help="The text's first characters \\[default: none].")
    ] = None,
    form: Annotated[
        str | None,
        typer.Option(help="A poem's shape: LxN, N lines of L characters (5x4, 7x4, 7x8)."),
    ] = None,
    acrostic: Annotated[
        str | None,
        typer.Option(help="Line i begins with the i-th character (藏头诗), e.g. 春夏秋冬."),
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="What to write about: a title, a tune name, a keyword.")
    ] = None,
    rhyme: Annotated[
        bool | None,
        typer.Option(
            "--rhyme/--no-rhyme",
            help="Lines 4, 6, ... end in line 2's rhyme \\[default: with a form, sampling].",
        ),
    ] = None,
    temperature: Annotated[
        float,
        typer.Option(help="Sampling temperature; 0 is greedy (the poems' preset: 0.8)."),
    ] = POEM_SAMPLING["temperature"],
    top_k: Annotated[int | None, typer.Option(help="Sample from the K most probable.")] = None,
    top_p: Annotated[
        float | None,
        typer.Option(help="Sample from the smallest set of probability P (preset: 0.9)."),
    ] = POEM_SAMPLING["top_p"],
    beam: Annotated[
        int | None,
        typer.Option(help="Beam search with B beams (no sampling) when B > 1" + _GEN),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Same seed, same text \\[default: the model's].")
    ] = None,
    max_tokens: Annotated[
        int | None, typer.Option(help="At most N tokens (a form sets its own)" + _GEN)
    ] = None,
    saved: Annotated[
        Path | None,
        typer.Option(
            "--from",
            "--model",
            help="A folder saved by `seqlab text train lm` \\[default: the "
            "bundled Tang poem model].",
        ),
    ] = None,
) -> None:
    """Write a text with a language model: by default a Tang-style poem.

    The bundled poet learned 全唐诗 in traditional characters; a title, acrostic or prefix in
    simplified characters is converted for it (OpenCC) and the poem comes back simplified.
    With --form or --acrostic, every line has its length and punctuation by construction
    (constrained decoding, nothing drawn and thrown away), and when sampling lines 4, 6, ...
    end in the rhyme of line 2 (中华新韵's groups); each couplet is printed on a line.

    Examples:

        seqlab text generate 春 --form 5x4

        seqlab text generate --acrostic 春夏秋冬 --form 7x4 --seed 3

        seqlab text generate --title 秋夜 --form 5x4 --beam 5

        seqlab text generate "ROMEO:" --from runs/lm/lm --max-tokens 300
    """
    from seqlab.text import load_poet
    from seqlab.text.poems import write_poem

    if prefix is not None and not prefix.strip():
        raise DataError(
            "PREFIX of seqlab text generate must hold at least one character; got an empty "
            "text. Leave it out to start from nothing, or use --title or --acrostic.",
            param="prefix",
        )
    with renamed(path="saved"):
        lm = load_poet(saved)
    given = {"max_tokens": max_tokens, "seed": seed, "beam": beam}
    settings: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    if not beam or beam == 1:  # beam search takes no sampling settings
        settings |= {"temperature": temperature, "top_k": top_k, "top_p": top_p}
    text = write_poem(lm, prefix or "", title, acrostic, rhyme, form=form, **settings)
    if form or acrostic:
        text = text.replace("。", "。\n").rstrip("\n")
    typer.echo(text)


def _documents(data: Path, documents: str, titled: bool) -> list:
    """The training documents of ``seqlab text train lm --data``."""
    text = _read_utf8(data, "--data of seqlab text train lm")
    if "\x00" in text:
        raise DataError(
            f"--data of seqlab text train lm must be a text file; got {str(data)!r}, which "
            f"holds NUL bytes (a binary file). Give a plain .txt file."
        )
    if documents == "file":
        docs: list = [text]
    elif documents == "paragraphs":
        docs = [p.strip() for p in text.split("\n\n") if p.strip()]
    else:
        docs = [line for line in text.splitlines() if line.strip()]
    if titled:
        if documents != "lines" or not all("\t" in d for d in docs):
            raise DataError(
                "--titled of seqlab text train lm needs one 'title<TAB>text' per line; got "
                f"{'--documents ' + documents if documents != 'lines' else 'a line without a tab'}"
                ". Use --documents lines and a tab after each title."
            )
        docs = [tuple(d.split("\t", 1)) for d in docs]
    if not docs or not any(d if isinstance(d, str) else d[1] for d in docs):
        raise DataError(
            f"--data of seqlab text train lm must hold some text; got {str(data)!r}, which is "
            "empty. Give a file with the texts to learn."
        )
    return docs


def _train_lm(
    data: Path | None, documents: str, titled: bool, device: str, out: Path, lm_options: dict
) -> None:
    """``seqlab text train lm``: a LanguageModel with ``lm_options`` (the options given; the
    others are LanguageModel's defaults) on the documents of ``data``."""
    from seqlab.io import write_json
    from seqlab.tasks import LanguageModel
    from seqlab.train.distributed import is_main

    if data is None:
        raise DataError(
            "--data of seqlab text train lm must name a UTF-8 text file; got none. Example: "
            "seqlab text train lm --data input.txt --model gru."
        )
    docs = _documents(data, documents, titled)
    lm = LanguageModel(**lm_options, device=device, verbose=True)
    lm.fit(docs)
    if not is_main():
        return  # under torchrun, rank 0 saves and prints
    folder = lm.save(out / "lm")
    best = min(h["val_loss"] for h in lm.history_)
    write_json(folder / "history.json", lm.history_)
    console.print(
        f"lm: best validation loss {best:.4f} nats per token. Saved to [bold]{folder}[/]; "
        f"write with: seqlab text generate --from {folder}"
    )


@app.command()
def train(
    task: Annotated[str, typer.Argument(help="segment, pos, sentiment, or lm (--data).")],
    model: Annotated[
        str | None,
        typer.Option(
            help="Encoder: lstm, gru, rnn or transformer \\[default: the recipe's; lm: "
            "LanguageModel's]."
        ),
    ] = None,
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
    pretrained: Annotated[
        Path | None,
        typer.Option(
            help="sentiment: start from this saved recurrent language model (seqlab text "
            "train lm), fine-tuned with discriminative learning rates."
        ),
    ] = None,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, cuda:1 ...")] = "auto",
    out: Annotated[Path, typer.Option(help="Folder to save the model in.")] = Path("runs/text"),
    data: Annotated[Path | None, typer.Option(help="lm: the UTF-8 text file to learn.")] = None,
    documents: Annotated[
        str,
        typer.Option(help="lm: the documents of --data: file (one), lines or paragraphs."),
    ] = "file",
    titled: Annotated[
        bool, typer.Option(help="lm: each line is 'title<TAB>text' (write for a title).")
    ] = False,
    tokens: Annotated[str | None, typer.Option(help="lm: char, or word (jieba)." + _LM)] = None,
    hidden: Annotated[int | None, typer.Option(help="lm: hidden size." + _LM)] = None,
    layers: Annotated[int | None, typer.Option(help="lm: layers." + _LM)] = None,
    context: Annotated[
        int | None, typer.Option(help="lm: tokens per chunk (BPTT length)." + _LM)
    ] = None,
    lr: Annotated[float | None, typer.Option(help="lm: learning rate." + _LM)] = None,
) -> None:
    """Train a text tool on its corpus split (the bundled recipe), score it on the test split;
    or, with lm, a language model on your own text (--data), early stopping on its last 10 %.

    With lm, each epoch's line shows a short sample; the model lands in OUT/lm, ready for
    seqlab text generate --from OUT/lm.

    The model lands in OUT/TASK; use it with --from, e.g. seqlab text segment --from
    runs/text/segment "...". The scores go to OUT/TASK/scores.json (sentiment: on the test
    split and on CSC-947, the standard ChnSentiCorp test reviews).

    Examples:

        seqlab text train segment --epochs 8

        seqlab text train sentiment --model gru --out runs/gru

        seqlab text train sentiment --pretrained runs/lm/lm   # transfer from a language model

        seqlab text train pos --members 1    # one model, not five

        seqlab text train pos --no-refit     # early stopping on val

        seqlab text train lm --data input.txt --model gru --epochs 5 --out runs/shakespeare

        seqlab text train lm --data poems.tsv --documents lines --titled --model lstm
    """
    if task == "lm":
        given = {
            "model": model,
            "epochs": epochs,
            "tokens": tokens,
            "hidden_size": hidden,
            "num_layers": layers,
            "context": context,
            "lr": lr,
        }
        options: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        _train_lm(data, documents, titled, device, out, options)
        return
    from seqlab.io import write_json
    from seqlab.text import evaluate_tool
    from seqlab.text import train as train_tool
    from seqlab.train.distributed import is_main

    given = {"model": model, "members": members, "refit": refit}
    extra: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    tool = train_tool(
        task,
        epochs=epochs,
        limit=limit,
        verbose=True,
        device=device,
        pretrained=pretrained,
        **extra,
    )
    if not is_main():
        return  # under torchrun, rank 0 saves, scores and prints
    folder = tool.save(out / task)
    console.print("Scoring on the test split ...")
    scores = evaluate_tool(task, tool)
    if task == "sentiment":
        scores |= {f"csc947_{k}": v for k, v in evaluate_tool(task, tool, "csc947").items()}
    write_json(folder / "scores.json", scores)
    shown = ", ".join(f"{k} {v:.2f}" for k, v in scores.items())
    console.print(f"{task}: {shown}. Saved to [bold]{folder}[/].")
