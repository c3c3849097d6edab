"""Sequence to sequence, measured: grapheme to phoneme on CMUdict and Chinese ↔ English on
Tatoeba, for the GRU without attention, the GRU with attention and the Transformer.

    python benchmarks/seq2seq.py --task g2p                  # three models (~50 min, 2 cores)
    python benchmarks/seq2seq.py --task zh-en --task en-zh   # six models (~60 min)
    python benchmarks/seq2seq.py --task zh-en --models gru   # one model again
    python benchmarks/seq2seq.py --bundle                    # ship the translators
    python benchmarks/seq2seq.py --bundle-g2p                # ship the pronouncer

Splits are :func:`seqlab.data.corpora.split`'s, fixed in the code: CMUdict by word (the
pronunciations of a word never straddle it), Tatoeba by groups of pairs that share a
sentence (no English or Chinese sentence on two sides). Each model trains on the training
part, early stopping and the kept weights follow a validation metric (exact match for G2P,
BLEU for translation), and the test part is decoded once, greedy and with beam 5.

G2P scores each test word once: right when the output equals any of its pronunciations
(word error rate, WER), and the phoneme error rate (PER) against the closest one. Translation
scores every test pair against its one reference with sacreBLEU (its "zh" tokenizer for
Chinese output) and chrF, and again with every translation of the source in the test part as
references ("multi-ref").

Each run writes its entry into ``benchmarks/results/seq2seq.json`` (scores, parameters,
epochs, training time, the machine) and the tables into docs/results/seq2seq.md. ``--bundle``
saves, for each direction, the attention model (recurrent or Transformer) with the higher
validation BLEU (embedding tables in 4 bits, the other matrices in int8) to
``src/seqlab/text/weights/translate-<direction>`` with the Tatoeba
attribution beside it, scores the stored copy again, and draws its attention over one
sentence into docs/images/attention-<direction>.png.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import math
import os
import platform
import shutil
import time
from pathlib import Path

import docs_tables
import torch

from seqlab.data import corpora
from seqlab.data.augment import substitute_entities
from seqlab.data.pairs import references_by_source
from seqlab.data.tokens import tokenize
from seqlab.datasets.files import dataset_file
from seqlab.datasets.pairs import CMUDICT_COMMIT, CMUDICT_SHA256, CMUDICT_URL, TATOEBA_CREDIT
from seqlab.io import write_lines_gz
from seqlab.metrics import sequence_scores
from seqlab.report.plots import attention_map
from seqlab.tasks import Seq2Seq
from seqlab.train.precision import resolve_precision

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "seq2seq.json"
RUNS = HERE.parent / "runs" / "seq2seq"
WEIGHTS = HERE.parent / "src" / "seqlab" / "text" / "weights"
IMAGES = HERE.parent / "docs" / "images"
SHARED = HERE.parents[1] / "shared" / "data"  # the data beside a checkout, when there
MODELS = ("gru-none", "gru", "transformer")

# One recipe per task and model, fixed before any test score was seen.
_G2P = dict(
    source_tokens="char",
    target_tokens="space",
    embedding_dim=128,
    hidden_size=256,
    dropout=0.2,
    label_smoothing=0.1,
    batch_size=128,
    lr=2e-3,
    patience=3,
    select="exact",
)
_MT = dict(
    embedding_dim=256,
    hidden_size=256,
    dropout=0.3,
    label_smoothing=0.1,
    batch_size=64,
    lr=2e-3,
    patience=4,
    min_freq=2,
    select="bleu",
)
# pre-norm, warm-up then cosine, dropout 0.3, label smoothing; bf16 autocast asked for by
# name ("auto" keeps the s2s models in fp32: their small benchmark model, precision_speed.py,
# gains under 5 % from it)
_MT_TRANSFORMER = dict(
    model="transformer", hidden_size=256, num_layers=3, lr=1e-3, epochs=12, precision="bf16"
)
RECIPES: dict[str, dict[str, dict]] = {
    "g2p": {
        "gru-none": dict(_G2P, model="gru", attention="none", epochs=5),
        "gru": dict(_G2P, model="gru", attention="general", epochs=10),
        "transformer": dict(
            _G2P, model="transformer", hidden_size=128, num_layers=3, dropout=0.1, epochs=5
        ),
    },
    **{
        task: {
            "gru-none": dict(_MT, **sides, model="gru", attention="none", epochs=6),
            "gru": dict(_MT, **sides, model="gru", attention="general", epochs=6),
            # wider and longer, still within the 10 MB of a bundled translator (int4/int8)
            "gru-wide": dict(
                _MT, **sides, model="gru", attention="general", hidden_size=384, epochs=10
            ),
            # the same with two copies of each pair that names a city or counts, the city or
            # number swapped on both sides (seqlab.data.augment): names it saw once or never
            "gru-wide-aug": dict(
                _MT,
                **sides,
                model="gru",
                attention="general",
                hidden_size=384,
                epochs=12,
                augment=2,
            ),
            "transformer": dict(_MT, **sides, **_MT_TRANSFORMER),
            "transformer-aug": dict(_MT, **sides, **_MT_TRANSFORMER, augment=2),
        }
        for task, sides in (
            ("zh-en", dict(source_tokens="char", target_tokens="word")),
            ("en-zh", dict(source_tokens="word", target_tokens="char")),
        )
    },
}


def data(task: str, part: str) -> tuple[list[str], list[str]]:
    """(sources, targets) of a part: one pair per pronunciation or per sentence pair."""
    if task == "g2p":
        items = corpora.split("cmudict", part)
        return [w for w, ps in items for _ in ps], [p for _, ps in items for p in ps]
    pairs = corpora.split("tatoeba", part)
    zh, en = [p.chinese for p in pairs], [p.english for p in pairs]
    return (zh, en) if task == "zh-en" else (en, zh)


def augmented(task: str, train: tuple[list[str], list[str]], copies: int) -> tuple:
    """``train`` and ``copies`` copies of each pair that names a city or counts with a
    number, swapped (``seqlab.data.augment``), none equal to a validation or test sentence."""
    held = [s for part in ("val", "test") for side in data(task, part) for s in side]
    zh_first = task == "zh-en"
    pairs = [(t, s) if zh_first else (s, t) for s, t in zip(*train, strict=True)]  # (en, zh)
    new = substitute_entities(pairs, copies=copies, held_out=held)
    sources = [zh if zh_first else en for en, zh in new]
    targets = [en if zh_first else zh for en, zh in new]
    return train[0] + sources, train[1] + targets


def references(sources: list[str], targets: list[str]) -> tuple[list[str], list[list[str]]]:
    """Each distinct source once, with all its targets in the part."""
    refs = references_by_source(sources, targets)
    return list(refs), list(refs.values())


def score(model: Seq2Seq, task: str, sources: list[str], targets: list[str]) -> dict:
    out: dict = {}
    distinct, refs = references(sources, targets)
    for beam in (1, 5):
        t0 = time.perf_counter()
        key = "greedy" if beam == 1 else "beam5"
        if task == "g2p":
            s = model.evaluate(distinct, refs, beam=beam)
            out[key] = {"wer": s["wer"], "per": s["per"], "words": s["n"]}
        else:  # each distinct source decoded once, scored per pair and against all its refs
            found = dict(zip(distinct, model.predict(distinct, beam=beam), strict=True))
            words = lambda t: tokenize(t, model.target_tokens)  # noqa: E731
            single = sequence_scores([found[s] for s in sources], [[t] for t in targets], words)
            multi = sequence_scores([found[s] for s in distinct], refs, words)
            out[key] = {
                "bleu": single["bleu"],
                "chrf": single["chrf"],
                "pairs": single["n"],
                "bleu_multi_ref": multi["bleu"],
                "chrf_multi_ref": multi["chrf"],
                "sources": multi["n"],
                "signature": single["signature"],
            }
        out[key]["seconds"] = time.perf_counter() - t0
    return out


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "threads": torch.get_num_threads(),
        "processor": platform.processor() or platform.machine(),
        "torch": torch.__version__,
    }


def load_results() -> dict:
    return json.loads(RESULTS.read_text()) if RESULTS.exists() else {}


def save_results(results: dict) -> None:
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    if RESULTS.parent == HERE / "results":
        docs_tables.update(TABLES)


def record(key: str, name: str, entry: dict) -> None:
    """Write ``entry`` as results[key][name], the file read and written under a lock: runs
    and bundles side by side share it (one that read it before another wrote would
    otherwise write the other's entry away)."""
    with open(RESULTS.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        results = load_results()
        results.setdefault(key, {})[name] = entry
        save_results(results)


def run(task: str, name: str, smoke: int = 0, epochs: int | None = None) -> None:
    recipe = RECIPES[task][name] if epochs is None else dict(RECIPES[task][name], epochs=epochs)
    recipe = dict(recipe)
    copies = recipe.pop("augment", 0)
    train, val, test = (data(task, p) for p in ("train", "val", "test"))
    if copies:
        train = augmented(task, train, copies)
    if smoke:  # a quick check of the script itself: a few pairs, one epoch, nothing kept
        train, val, test = ((s[:smoke], t[:smoke]) for s, t in (train, val, test))
        recipe = dict(recipe, epochs=1)
    model = Seq2Seq(**recipe, seed=0, verbose=True)
    t0 = time.perf_counter()
    model.fit(*train, validation=val)
    seconds = time.perf_counter() - t0
    folder = model.save(RUNS / task / name)
    best = min(model.history_, key=lambda h: h.get("val_score", h["val_loss"]))
    entry = {
        "recipe": recipe | ({"augment": copies} if copies else {}),
        "parameters": sum(p.numel() for p in model.model_.parameters()),
        "train_pairs": len(train[0]),
        "epochs": len(model.history_),
        "best_epoch": best["epoch"],
        "val_score": best.get("val_score"),
        "train_seconds": seconds,
        "precision": resolve_precision(model.precision, model.device_, f"s2s-{model.model}"),
        "test": score(model, task, *test),
        "saved": os.path.relpath(folder, HERE.parent),
        "machine": machine(),
    }
    record(task, name, entry)
    print(json.dumps({task: {name: entry["test"]}}, indent=1), flush=True)


def bundle() -> None:
    """Ship, per direction, the model with the best validation BLEU (the ``val_score`` is
    −BLEU) among those trained with the cities and numbers augmented (a user's sentences name
    places Tatoeba's validation part hardly tests; any attention model where none was), in
    int4/int8, with the attribution of the pairs it learned from."""
    results = load_results()
    train_pairs = corpora.split("tatoeba", "train")
    for task in ("zh-en", "en-zh"):
        runs = {m: r for m, r in results.get(task, {}).items() if m != "gru-none"}
        runs = {m: r for m, r in runs.items() if r["recipe"].get("augment")} or runs
        name = min(runs, key=lambda m: runs[m]["val_score"])
        model = Seq2Seq.load(HERE.parent / runs[name]["saved"], device="cpu")
        target = WEIGHTS / f"translate-{task}"
        shutil.rmtree(target, ignore_errors=True)
        model.set_params(verbose=False).save(target, precision="int4")
        (target / "ATTRIBUTION.md").write_text(
            f"# Tatoeba attribution\n\nThis model was trained on {len(train_pairs):,} "
            f"English–Chinese sentence pairs (the training part of seqlab's split)"
            + (
                ", and on copies of those that name a city or count things with the city or "
                "number swapped on both sides (`seqlab.data.augment`). "
                if runs[name]["recipe"].get("augment")
                else ". "
            )
            + f"{TATOEBA_CREDIT} The ids and contributors of every pair it was trained on are "
            "in `pairs.attribution.txt.gz`, one line per pair: `#<English sentence id> "
            "(<contributor>) & #<Chinese sentence id> (<contributor>)` on tatoeba.org, as the "
            "file's attribution column gives them (its common prefix `CC-BY 2.0 (France) "
            "Attribution: tatoeba.org ` left out).\n"
        )
        prefix = "CC-BY 2.0 (France) Attribution: tatoeba.org "
        write_lines_gz(
            target / "pairs.attribution.txt.gz",
            (p.attribution.removeprefix(prefix) for p in train_pairs),
        )
        stored = Seq2Seq.load(target, device="cpu")
        size = sum(f.stat().st_size for f in target.iterdir())
        example = "我们明天去北京。" if task == "zh-en" else "We are going to Beijing tomorrow."
        [[best]] = stored.decode([example], beam=5, return_attention=True)
        if best.attention is not None:  # the heat map of docs/results/seq2seq.md
            attention_map(
                best.source,
                best.tokens,
                best.attention,
                IMAGES / f"attention-{task}.png",
                f"{example} → {best.text}",
            )
        entry = {"model": name, "bytes": size, "test": score(stored, task, *data(task, "test"))}
        record("bundle", task, entry)
        print(task, name, size, entry["test"], flush=True)


def bundle_g2p() -> None:
    """Ship the G2P model with attention (int8) as the pronouncer of ``seqlab text
    pronounce``, with CMUdict's license beside it, and score the stored copy again."""
    results = load_results()
    run = results["g2p"]["gru"]
    model = Seq2Seq.load(HERE.parent / run["saved"], device="cpu")
    target = WEIGHTS / "pronounce"
    shutil.rmtree(target, ignore_errors=True)
    model.set_params(verbose=False).save(target, precision="int8")
    dictionary = dataset_file("cmudict", "cmudict.dict", CMUDICT_SHA256, CMUDICT_URL)
    license_text = (dictionary.parent / "LICENSE").read_text(encoding="utf-8")
    (target / "ATTRIBUTION.md").write_text(
        "# CMUdict attribution\n\nThis model was trained on the training part of seqlab's "
        f"split of the CMU Pronouncing Dictionary (cmusphinx/cmudict@{CMUDICT_COMMIT[:8]}), "
        "whose license follows.\n\n```\n" + license_text.strip() + "\n```\n",
        encoding="utf-8",
    )
    stored = Seq2Seq.load(target, device="cpu")
    size = sum(f.stat().st_size for f in target.iterdir())
    entry = {"model": "gru", "bytes": size, "test": score(stored, "g2p", *data("g2p", "test"))}
    record("bundle", "g2p", entry)
    print("g2p", size, entry["test"], flush=True)


MODEL_NAMES = {
    "gru-none": "GRU, no attention",
    "gru": "GRU, attention (general)",
    "gru-wide": "GRU, attention (general), wider",
    "gru-wide-aug": "GRU, attention (general), wider, cities and numbers augmented",
    "transformer": "Transformer",
    "transformer-aug": "Transformer, cities and numbers augmented",
}


def _seq2seq_results() -> dict:
    """benchmarks/results/seq2seq.json, or nothing before its first run."""
    if not (docs_tables.RESULTS / "seq2seq.json").exists():
        return {}
    return docs_tables.read_json("seq2seq")  # type: ignore[return-value]


def _seq2seq_cells(e: dict) -> str:
    r = e["recipe"]
    size = f"{r.get('num_layers', 1)}×{r['hidden_size']}"
    return (
        f"{size} | {e['parameters'] / 1e6:.2f} M | {e['epochs']} ({e['best_epoch']}) | "
        f"{e['train_seconds'] / 60:.0f} min, {e.get('precision', 'fp32')}"
    )


def table_seq2seq_g2p() -> str:
    """CMUdict G2P: our three models on our split, then the published figures on theirs."""
    r = _seq2seq_results()
    lines = [
        "| model | layers × width | parameters | epochs (best) | training (2 CPU cores), "
        "arithmetic | "
        "WER greedy | WER beam 5 (target ≤ 30.0 %) | PER greedy | PER beam 5 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, e in r.get("g2p", {}).items():  # type: ignore[union-attr]
        t = e["test"]
        lines.append(
            f"| {MODEL_NAMES[name]} | {_seq2seq_cells(e)} | {t['greedy']['wer']:.2f} % | "
            f"{t['beam5']['wer']:.2f} % | {t['greedy']['per']:.2f} % | "
            f"{t['beam5']['per']:.2f} % |"
        )
    bundled = r.get("bundle", {}).get("g2p")  # type: ignore[union-attr]
    if bundled:
        t = bundled["test"]
        lines.append(
            f"| bundled pronouncer (`seqlab text pronounce`): {MODEL_NAMES[bundled['model']]}, "
            f"int8, {bundled['bytes'] / 1e6:.1f} MB | | | | | {t['greedy']['wer']:.2f} % | "
            f"{t['beam5']['wer']:.2f} % | {t['greedy']['per']:.2f} % | {t['beam5']['per']:.2f} % |"
        )
    lines.append(
        "\nPublished, each on its own split: g2p-seq2seq's Transformer (3 layers × 256) 30.2 % "
        'WER and Phonetisaurus (WFST) 33.89 %, on "CMUdict latest" without stress '
        "(cmusphinx/g2p-seq2seq README).\n"
    )
    return "\n".join(lines)


def _down(bleu: float) -> str:
    """BLEU to two decimals, rounded down: a score just under a target does not show as
    reaching it (24.995 is 24.99, not 25.00)."""
    return f"{math.floor(bleu * 100) / 100:.2f}"


def table_seq2seq_mt() -> str:
    """Tatoeba zh↔en: our three models per direction, the bundled translators, the ceiling."""
    r = _seq2seq_results()
    lines = [
        "| direction | model | layers × width | parameters | epochs (best) | training (2 CPU "
        "cores), arithmetic | BLEU greedy | BLEU beam 5 | chrF beam 5 | BLEU beam 5, multi-ref |",
        # BLEU rounded down to two decimals
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    targets = {"zh-en": "≥ 25", "en-zh": "≥ 22"}
    for task in ("zh-en", "en-zh"):
        for name, e in r.get(task, {}).items():  # type: ignore[union-attr]
            t = e["test"]
            lines.append(
                f"| {task} (target {targets[task]}) | {MODEL_NAMES[name]} | "
                f"{_seq2seq_cells(e)} | {_down(t['greedy']['bleu'])} | "
                f"{_down(t['beam5']['bleu'])} | {t['beam5']['chrf']:.1f} | "
                f"{_down(t['beam5']['bleu_multi_ref'])} |"
            )
    for task, b in r.get("bundle", {}).items():  # type: ignore[union-attr]
        if task == "g2p":
            continue
        t = b["test"]
        lines.append(
            f"| {task} | bundled: {MODEL_NAMES[b['model']]}, int4/int8, "
            f"{b['bytes'] / 1e6:.1f} MB | "
            f"| | | | {_down(t['greedy']['bleu'])} | {_down(t['beam5']['bleu'])} | "
            f"{t['beam5']['chrf']:.1f} | {_down(t['beam5']['bleu_multi_ref'])} |"
        )
    lines.append(
        "\nCeiling from far more data: OPUS-MT's large models score 35.6 BLEU zh→en and 31.8 "
        "en→zh on the Tatoeba challenge test.\n"
    )
    return "\n".join(lines)


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {
    "seq2seq-g2p": (docs_tables.ROOT / "docs" / "results" / "seq2seq.md", table_seq2seq_g2p),
    "seq2seq-mt": (docs_tables.ROOT / "docs" / "results" / "seq2seq.md", table_seq2seq_mt),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", action="append", choices=sorted(RECIPES), default=[])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--bundle", action="store_true")
    parser.add_argument("--bundle-g2p", action="store_true", help="ship the pronouncer")
    parser.add_argument("--smoke", type=int, default=0, help="check the script on N pairs")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (2 cores: 2)")
    parser.add_argument("--epochs", type=int, help="instead of the recipe's (kept in the JSON)")
    args = parser.parse_args()
    if SHARED.is_dir():
        os.environ.setdefault("SEQLAB_DATA_DIR", str(SHARED))
    torch.set_num_threads(args.threads)
    if args.smoke:
        global RESULTS, RUNS, WEIGHTS, IMAGES
        RESULTS, RUNS = Path("/tmp/seq2seq_smoke.json"), Path("/tmp/seq2seq_smoke_runs")
        WEIGHTS = Path("/tmp/seq2seq_smoke_weights")
        IMAGES = Path("/tmp/seq2seq_smoke_images")
    for task in args.task:
        for name in args.models.split(","):
            run(task, name, args.smoke, args.epochs)
    if args.bundle:
        bundle()
    if args.bundle_g2p:
        bundle_g2p()


if __name__ == "__main__":
    main()
