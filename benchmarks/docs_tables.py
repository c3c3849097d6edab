"""The tables of the docs, rendered from the benchmarks' JSON results.

Every benchmark script writes its JSON into benchmarks/results/ and then calls
:func:`update` here, which rewrites the table between its markers (``<!-- name -->`` …
``<!-- /name -->``) in README.md or docs/. Run alone, it renders every table again from
the JSON on disk, measuring nothing:

    python benchmarks/docs_tables.py            # all tables, from benchmarks/results/*.json
    python benchmarks/docs_tables.py --check    # exit 1 if a table differs from its JSON
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
HORIZONS = (96, 192, 336, 720)


def _json(name: str) -> dict | list:
    return json.loads((RESULTS / f"{name}.json").read_text())


def demo() -> str:
    """The leaderboard of the default `seqlab forecast` run, as the command prints it."""
    import pandas as pd
    from rich.console import Console

    from seqlab.cli.tables import leaderboard_table
    from seqlab.report.html import verdict_for

    result = _json("demo_time")
    board = pd.DataFrame(result["leaderboard"]).set_index("model")
    console = Console(file=io.StringIO(), width=100, record=True)
    console.print(leaderboard_table(board, 5))
    console.print(verdict_for(board, "Close", "B"))
    table = console.export_text()
    return "```\n" + "\n".join(line.rstrip() for line in table.splitlines()) + "\n```\n"


def demo_seconds() -> str:
    result = _json("demo_time")
    return (
        f"The whole run takes {result['seconds']:.0f} s on {result['machine']['cpus']} CPU "
        f"cores (target: under {result['target_seconds'] // 60} minutes).\n"
    )


def speed() -> str:
    r = _json("train_speed")
    s, h = r["seqlab"], r["hand_loop"]
    return (
        "| | seconds / epoch (median) | peak memory (RSS) | final val loss |\n"
        "|---|---:|---:|---:|\n"
        f"| seqlab `Forecaster` | {s['median_epoch_seconds']:.2f} | {s['peak_mb']:.0f} MB | "
        f"{s['final_val_loss'][0]:.4f} |\n"
        f"| hand-written loop | {h['median_epoch_seconds']:.2f} | {h['peak_mb']:.0f} MB | "
        f"{h['final_val_loss'][0]:.4f} |\n"
        f"| **ratio** | **{r['ratio_seqlab_over_hand']:.2f}×** (target ≤ "
        f"{r['target_ratio']:.2f}×) | | |\n\n"
        f"{r['machine']['cpus']} CPU cores, torch {r['machine']['torch']}, {r['rounds']} rounds "
        f"× {r['epochs_per_run'] - 1} timed epochs per side.\n"
    )


LTSF_HEADER = [
    "| dataset | model | lookback | horizon | MSE | MAE | test windows | epochs (best) "
    "| s / epoch | peak MB | params | seed | device |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
]


def ltsf_row(r: dict, model: str) -> str:
    """One measured cell of the ETT grid as a table row (``model`` as it is to be shown)."""
    return (
        f"| {r['dataset']} | {model} | {r['lookback']} | {r['horizon']} | "
        f"**{r['mse']:.3f}** | {r['mae']:.3f} | {r['test_windows']} | {r['epochs']} "
        f"({r['best_epoch']}) | {r['seconds_per_epoch']:.1f} | {r['peak_mb']:.0f} | "
        f"{r['params']:,} | {r['seed']} | {r['device']} |"
    )


def published() -> list[str]:
    """The published ETTh1 MSE beside ours, as table lines."""
    from seqlab.bench.ltsf import PUBLISHED

    lines = ["Published ETTh1 MSE, for comparison (sources in `seqlab/bench/ltsf.py`):", ""]
    lines.append("| source | " + " | ".join(f"H={h}" for h in HORIZONS) + " |")
    lines.append("|---|" + "---:|" * len(HORIZONS))
    for source, values in PUBLISHED.items():
        cells = " | ".join(f"{values[h]:.3f}" if h in values else "—" for h in HORIZONS)
        lines.append(f"| {source} | {cells} |")
    return lines


def ltsf() -> str:
    """The measured cells of the ETT grid, then the published figures."""
    order = ["segrnn", "patchtst", "dlinear"]  # the grid's order; settings changed come last
    rows = sorted(
        (r for r in _json("ltsf") if not r.get("quick")),  # type: ignore[union-attr]
        key=lambda r: (
            bool(r.get("overrides")),
            r["dataset"],
            order.index(r["model"]) if r["model"] in order else len(order),
            r["horizon"],
        ),
    )
    lines = list(LTSF_HEADER)
    for r in rows:
        model = r["model"]
        if r.get("overrides"):
            model += " (" + ", ".join(f"{k}={v}" for k, v in r["overrides"].items()) + ")"
        lines.append(ltsf_row(r, model))
    return "\n".join([*lines, "", *published()]) + "\n"


def lengths() -> str:
    rows = _json("recurrent_lengths")["rows"]  # type: ignore[call-overload]
    lines = ["| L | seqlab `Recurrent` (s) | torch packed sequences (s) |", "|---|---|---|"]
    lines += [
        f"| {r['length']} | {r['seqlab_seconds']:.3f} | {r['torch_packed_seconds']:.3f} |"
        for r in rows
    ]
    return "\n".join(lines) + "\n"


def lm_floors() -> str:
    names = {"shakespeare": "Tiny Shakespeare", "ci": "Song ci", "tang": "Tang shi"}
    lines = [
        "| text | train characters | held-out characters | unigram bits/char | "
        "bigram bits/char | 75 % of the bigram |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in _json("lm_floors"):  # type: ignore[union-attr]
        lines.append(
            f"| {names.get(r['corpus'], r['corpus'])} | {r['train_characters']:,} | "
            f"{r['val_characters']:,} | {r['unigram_bits']:.3f} | {r['bigram_bits']:.3f} | "
            f"{0.75 * r['bigram_bits']:.3f} |"
        )
    return "\n".join(lines) + "\n"


def poems() -> str:
    names = {"ci": "Song ci", "tang": "Tang shi"}
    lines = [
        "| poems | model | parameters | saved (float16) | epochs | training | held-out bits/char "
        "| with titles | bigram floor | share of the floor (target ≤ 75 %) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in _json("poem_model"):  # type: ignore[union-attr]
        st = r["settings"]
        lines.append(
            f"| {names[r['corpus']]}{' (bundled)' if r['bundled'] else ''} | {st['model']} "
            f"{st['hidden']}×{st['layers']} | {r['params']:,} | {r['bytes'] / 1e6:.1f} MB | "
            f"{r['epochs']} | {r['train_seconds'] / 60:.0f} min | "
            f"{r['held_out_bits_per_char']:.3f} | {r['held_out_bits_per_char_with_titles']:.3f} "
            f"| {r['bigram_floor_bits']:.3f} | {100 * r['share_of_bigram_floor']:.1f} % |"
        )
    return "\n".join(lines) + "\n"


def lm_shakespeare() -> str:
    lines = [
        "| backbone | size | parameters | epochs | training | val (last 10 % of train) | "
        "held-out nats/char (target ≤ 1.55) | held-out bits/char |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    runs = [r for r in _json("lm_train") if r["corpus"] == "shakespeare"]  # type: ignore[union-attr]
    for r in sorted(runs, key=lambda r: r["held_out"]["loss"]):
        st = r["settings"]
        lines.append(
            f"| {st['model']} | {st['hidden']}×{st['layers']}, dropout {st['dropout']} | "
            f"{r['params']:,} | {r['epochs']} | {r['train_seconds'] / 60:.1f} min | "
            f"{min(h['val_loss'] for h in r['history']):.3f} | {r['held_out']['loss']:.3f} | "
            f"{r['held_out']['bits_per_char']:.3f} |"
        )
    return "\n".join(lines) + "\n"


def lm_speed() -> str:
    r = _json("lm_speed")
    lengths = list(r["rows"][0]["sampling"])  # type: ignore[index]
    lines = [
        "| backbone | parameters | training tokens/s | "
        + " | ".join(f"sampling tokens/s at {n}" for n in lengths)
        + " |",
        "|---|---:|---:|" + "---:|" * len(lengths),
    ]
    for row in r["rows"]:  # type: ignore[index]
        cells = [f"{row['sampling'][n]['tokens_per_second']:,.0f}" for n in lengths]
        lines.append(
            f"| {row['model']} | {row['params']:,} | {row['train_tokens_per_second']:,.0f} | "
            + " | ".join(cells)
            + " |"
        )
        if "sampling_without_cache" in row:
            bare = [f"{row['sampling_without_cache'][n]:,.0f}" for n in lengths]
            lines.append(f"| {row['model']}, no cache | | | " + " | ".join(bare) + " |")
    return "\n".join(lines) + "\n"


def sentiment_transfer() -> str:
    """From scratch against from a pretrained language model, both on leak-free data."""
    r = _json("sentiment_transfer")
    lines = [
        "| run | model | training | validation | CSC-947 (target ≥ 91.0) | CSC-947 not in "
        "ChnSentiCorp train | test part (target ≥ 86.5) | whole reviews | clauses |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    what = {
        "scratch": "3 BiLSTMs 128, characters and bigrams, max-pooled (the recipe)",
        "transfer": "3 LSTMs {hidden_size}×{num_layers} from the language model, max-pooled, "
        "lr_decay {lr_decay}",
    }
    lm = r.get("lm", {})  # type: ignore[union-attr]
    for name in ("scratch", "transfer"):
        if name not in r:
            continue
        e = r[name]  # type: ignore[index]
        model = what[name].format(**{**lm, **e})
        minutes = e["minutes"] + (lm.get("minutes", 0) if name == "transfer" else 0)
        lines.append(
            f"| {name}{' (bundled)' if r.get('bundled', {}).get('run') == name else ''} | "  # type: ignore[union-attr]
            f"{model} | {minutes:.0f} min | {e['val']:.2f} | {e['csc947']:.2f} | "
            f"{e['csc947_not_in_csc_train']:.2f} | {e['test']:.2f} | {e['test_whole']:.2f} | "
            f"{e['test_clauses']:.2f} |"
        )
    if "bundled" in r:
        b = r["bundled"]  # type: ignore[index]
        lines.append(
            f"| bundled: {b['run']}, stored in int4 | | | {b['val']:.2f} | {b['csc947']:.2f} | "
            f"{b['csc947_not_in_csc_train']:.2f} | {b['test']:.2f} | {b['test_whole']:.2f} | "
            f"{b['test_clauses']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def text() -> str:
    return (RESULTS / "text_quality.md").read_text()


_SEQ2SEQ_NAMES = {
    "gru-none": "GRU, no attention",
    "gru": "GRU, attention (general)",
    "transformer": "Transformer",
}


def _seq2seq_results() -> dict:
    """benchmarks/results/seq2seq.json, or nothing before its first run."""
    return _json("seq2seq") if (RESULTS / "seq2seq.json").exists() else {}  # type: ignore[return-value]


def _seq2seq_cells(e: dict) -> str:
    r = e["recipe"]
    size = f"{r.get('num_layers', 1)}×{r['hidden_size']}"
    return (
        f"{size} | {e['parameters'] / 1e6:.2f} M | {e['epochs']} ({e['best_epoch']}) | "
        f"{e['train_seconds'] / 60:.0f} min"
    )


def seq2seq_g2p() -> str:
    """CMUdict G2P: our three models on our split, then the published figures on theirs."""
    r = _seq2seq_results()
    lines = [
        "| model | layers × width | parameters | epochs (best) | training, 2 CPU cores | "
        "WER greedy | WER beam 5 (target ≤ 30.0 %) | PER greedy | PER beam 5 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, e in r.get("g2p", {}).items():  # type: ignore[union-attr]
        t = e["test"]
        lines.append(
            f"| {_SEQ2SEQ_NAMES[name]} | {_seq2seq_cells(e)} | {t['greedy']['wer']:.2f} % | "
            f"{t['beam5']['wer']:.2f} % | {t['greedy']['per']:.2f} % | "
            f"{t['beam5']['per']:.2f} % |"
        )
    lines.append(
        "\nPublished, each on its own split: g2p-seq2seq's Transformer (3 layers × 256) 30.2 % "
        'WER and Phonetisaurus (WFST) 33.89 %, on "CMUdict latest" without stress '
        "(cmusphinx/g2p-seq2seq README).\n"
    )
    return "\n".join(lines)


def seq2seq_mt() -> str:
    """Tatoeba zh↔en: our three models per direction, the bundled translators, the ceiling."""
    r = _seq2seq_results()
    lines = [
        "| direction | model | layers × width | parameters | epochs (best) | training, 2 CPU "
        "cores | BLEU greedy | BLEU beam 5 | chrF beam 5 | BLEU beam 5, multi-ref |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    targets = {"zh-en": "≥ 25", "en-zh": "≥ 22"}
    for task in ("zh-en", "en-zh"):
        for name, e in r.get(task, {}).items():  # type: ignore[union-attr]
            t = e["test"]
            lines.append(
                f"| {task} (target {targets[task]}) | {_SEQ2SEQ_NAMES[name]} | "
                f"{_seq2seq_cells(e)} | {t['greedy']['bleu']:.1f} | {t['beam5']['bleu']:.1f} | "
                f"{t['beam5']['chrf']:.1f} | {t['beam5']['bleu_multi_ref']:.1f} |"
            )
    for task, b in r.get("bundle", {}).items():  # type: ignore[union-attr]
        t = b["test"]
        lines.append(
            f"| {task} | bundled: {_SEQ2SEQ_NAMES[b['model']]}, int4/int8, "
            f"{b['bytes'] / 1e6:.1f} MB | "
            f"| | | | {t['greedy']['bleu']:.1f} | {t['beam5']['bleu']:.1f} | "
            f"{t['beam5']['chrf']:.1f} | {t['beam5']['bleu_multi_ref']:.1f} |"
        )
    lines.append(
        "\nCeiling from far more data: OPUS-MT's large models score 35.6 BLEU zh→en and 31.8 "
        "en→zh on the Tatoeba challenge test.\n"
    )
    return "\n".join(lines)


def seq2seq_speed() -> str:
    """Training pairs/s and decoding sentences/s per model (zh→en recipe)."""
    if not (RESULTS / "seq2seq_speed.json").exists():
        return "Not measured yet: run `python benchmarks/seq2seq_speed.py`.\n"
    r = _json("seq2seq_speed")
    lines = [
        "| model | training, pairs / s | decoding greedy, sentences / s | decoding beam 5, "
        "sentences / s |",
        "|---|---:|---:|---:|",
    ]
    for row in r["rows"]:  # type: ignore[index]
        d = row["decode_sentences_per_s"]
        lines.append(
            f"| {_SEQ2SEQ_NAMES[row['model']]} | {row['train_pairs_per_s']:,.0f} | "
            f"{d['greedy']:,.0f} | {d['beam5']:,.0f} |"
        )
    m = r["machine"]  # type: ignore[index]
    lines.append(
        f"\n{m['cpus']} CPU cores, {m['threads']} threads, torch {m['torch']}; "
        f"{r['train_pairs']:,} training pairs, {r['decode_sources']} test sources.\n"  # type: ignore[index]
    )
    return "\n".join(lines)


_M4_NAMES = {"naive": "Naive", "seasonal_naive": "Seasonal naive", "naive2": "Naive2"}


def m4() -> str:
    """Our runs beside the organisers' published rows, per frequency."""
    from seqlab.bench.m4 import PUBLISHED

    runs = _json("m4") if (RESULTS / "m4.json").exists() else []
    lines = []
    for frequency in ("hourly", "weekly"):
        ours = sorted((r for r in runs if r["frequency"] == frequency), key=lambda r: r["owa"])
        lines += [
            f"**M4 {frequency.capitalize()}** (test: the last {48 if frequency == 'hourly' else 13}"
            " values of each series)\n",
            "| method | sMAPE | MASE | OWA | OWA, no overlap | MSIS | cover 95 % | epochs (best) "
            "| params | train |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in ours:
            msis = r.get("msis_random_walk", r["msis"])
            trained = f"{r['epochs']} ({r['best_epoch']})" if r["epochs"] else "–"
            minutes = f"{r['train_seconds'] / 60:.1f} min" if r["epochs"] else "–"
            apart = r.get("without_overlap")
            shown = f"{apart['owa']:.3f} ({apart['series']})" if apart else "not measured"
            lines.append(
                f"| {r['model']} | {r['smape']:.3f} | {r['mase']:.3f} | {r['owa']:.3f} | {shown} | "
                f"{msis:.3f} | {r['coverage_95']:.1f} | {trained} | {r['params']:,} | {minutes} |"
            )
        for name, (smape, mase, owa, msis) in PUBLISHED[frequency].items():
            shown = "" if msis is None else f"{msis:.3f}"
            cells = f"{smape:.3f} | {mase:.3f} | {owa:.3f} | | {shown}"
            lines.append(f"| *{name}, published* | {cells} | | | | |")
        lines.append("")
    return "\n".join(lines)


def panel_scale() -> str:
    if not (RESULTS / "panel_scale.json").exists():
        return "Not measured yet: run `python benchmarks/panel_scale.py`.\n"
    r = _json("panel_scale")
    g, s = r["global"], r["single"]  # type: ignore[call-overload]
    mb = 2**20
    shape = f"{g['values']:,} ({g['series']:,} × {g['values'] // g['series']:,})"
    build = f"{g['build_seconds']:.2f} s, {g['build_seconds_per_million']:.2f} s per million"
    data = f"{g['data_bytes'] / mb:,.0f} + {g['model_optimizer_bytes'] / mb:.2f} MB"
    rows = [
        ("values (series × rows)", shape, "10 million"),
        ("training windows of the epoch", f"{g['train_windows']:,}", ""),
        ("build the training data (`data_seconds_`)", build, "< 1 s per million values"),
        ("peak memory `fit` adds", f"{g['peak_added_bytes'] / mb:,.0f} MB", ""),
        ("data (the frame, deep) + model + optimizer", data, ""),
        ("of which the values alone (float64)", f"{g['value_bytes'] / mb:,.0f} MB", ""),
        ("peak / (data + model + optimizer)", f"{g['peak_ratio']:.2f}", "≤ 2"),
        (
            "the same windows materialised (float32)",
            f"{g['materialised_windows_bytes'] / mb:,.0f} MB",
            "",
        ),
        ("windows/s, global, one epoch", f"{g['windows_per_s']:,.0f}", ""),
        (f"windows/s, one series of {s['rows']:,} rows", f"{s['windows_per_s']:,.0f}", ""),
    ]
    busy = r.get("note", "the machine otherwise idle")
    note = f"\nThe epoch: {r['machine']['threads']} thread(s); {busy}.\n"
    if "rounds" in r:
        k = r["rounds"]
        pairs = zip(k["global_windows_per_s"], k["single_windows_per_s"], strict=True)
        rate = " / ".join(f"{a:,.0f} : {b:,.0f}" for a, b in pairs)
        label = f"global / single, medians of {len(k['global_windows_per_s'])} alternating rounds"
        rows.append((label, f"{k['ratio']:.3f}", "within 10 %: 0.90 – 1.10"))
        threads = r.get("rounds_threads", r["machine"]["threads"])
        busy = r.get("rounds_note", "the machine otherwise idle")
        note += (
            f"The rounds ({k['series']} series × 1,000 rows against the one series; windows/s, "
            f"global : single): {rate}; {threads} thread(s); {busy}.\n"
        )
    lines = ["| measure | value | target |", "|---|---:|---|"]
    return "\n".join([*lines, *(f"| {a} | {b} | {c} |" for a, b, c in rows), note])


def overhead() -> str:
    """What the Trainer adds per step to the bare model step (benchmarks/trainer_overhead.py)."""
    r = _json("trainer_overhead")
    lines = [
        "| model | precision | bare step (ms) | Trainer step (ms) | overhead (ms) | overhead |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in r["rows"]:
        lines.append(
            f"| {row['model']} | {row['precision']} | {row['bare_ms']:.2f} | "
            f"{row['trainer_ms']:.2f} | {row['overhead_ms']:+.2f} | {row['overhead_pct']:+.0f} % |"
        )
    return "\n".join(lines) + (
        f"\n\nOn {r['device']} ({r['machine']['cpus']} cores, torch {r['machine']['torch']}), "
        f"batch {r['batch_size']}, lookback {r['lookback']}, horizon {r['horizon']}, "
        f"{r['steps']} steps, median of {r['rounds']} rounds.\n"
    )


def memory() -> str:
    """The long-memory benchmark (benchmarks/memory.py): test loss per length, the longest
    length solved, Table 1 of Bai et al. beside it."""
    r = _json("memory")
    runs, published = r["runs"], r["published"]
    lengths = sorted({x["length"] for x in runs})
    lines = [
        "| task | model | "
        + " | ".join(f"T = {t}" for t in lengths)
        + " | longest T solved | Bai et al., Table 1 |",
        "|---|---|" + "---:|" * len(lengths) + "---:|---:|",
    ]
    for task in dict.fromkeys(x["task"] for x in runs):
        for model in dict.fromkeys(x["model"] for x in runs if x["task"] == task):
            cells, solved = [], []
            for t in lengths:
                x = next(
                    (x for x in runs if (x["task"], x["model"], x["length"]) == (task, model, t)),
                    None,
                )
                if x is None:
                    cells.append("")
                elif x["skipped"]:
                    cells.append("not run")
                else:
                    mark = " **solved**" if x["solved"] else ""
                    cells.append(f"{x['test_loss']:.2g}{mark}")
                    solved += [t] if x["solved"] else []
            paper = published[task]
            quoted = (
                f"{paper[model]:.3g} at T = {paper['length']}" if model in paper else "not in it"
            )
            longest = str(max(solved)) if solved else "none"
            lines.append(
                f"| {task} | {model} | " + " | ".join(cells) + f" | {longest} | {quoted} |"
            )
    b = r["budget"]
    return "\n".join(lines) + (
        f"\n\nTest loss (adding: MSE, trivial 1/6, solved below 0.01; copy: cross-entropy per "
        f"step, solved below 10 % of 10·ln 8/(T+20)). Budget per run: at most {b['steps']:,} "
        f"steps ({b['epochs']} epochs of {b['train']:,} sequences, batch {b['batch_size']}), "
        f"AdamW lr {b['lr']:g} on a cosine schedule, clipping at {b['grad_clip']:g}; stopped "
        f"early once the validation loss is below half the threshold. A model that fails "
        f"at one T is not run at longer ones. The whole grid took "
        f"{r['seconds'] / 60:.0f} min on {r['machine']['cpus']} CPU cores (one process "
        f"per task, one thread each; torch {r['machine']['torch']}).\n"
    )


def explain_times() -> str:
    """The run time of each ``seqlab explain`` command with its defaults
    (benchmarks/explain_pages.py)."""
    r = _json("explain_times")
    lines = ["| command (no arguments) | seconds | page |", "|---|---:|---|"]
    for row in r["rows"]:
        name = row["command"].split()[-1]
        lines.append(
            f"| `{row['command']}` | {row['seconds']:.0f} | [{name}](explain/{name}/index.html) |"
        )
    return "\n".join(lines) + (
        f"\n\nWall time from start to exit, in a fresh process, on {r['machine']['cpus']} CPU "
        f"cores (torch {r['machine']['torch']}).\n"
    )


def _page_numbers(command: str) -> dict:
    return json.loads((ROOT / "docs" / "explain" / command / "results.json").read_text())


def explain_gradients() -> str:
    """The slopes of ‖∂L/∂h_k‖ on the example page of ``seqlab explain gradients``."""
    r = _page_numbers("gradients")
    lines = [
        f"| model | condition | ‖∂L/∂h_0‖ | ‖∂L/∂h_{r['length'] - 1}‖ | slope (decades / step) "
        "| × per step |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in r["rows"]:
        lines.append(
            f"| {row['model']} | {row['condition']} | {row['first']:.2g} | {row['last']:.2g} | "
            f"{row['slope']:+.4f} | {10 ** row['slope']:.3f} |"
        )
    return "\n".join(lines) + (
        f"\n\nAdding-problem sequences of {r['length']} steps; trained: {r['steps']} steps of "
        "batch 32.\n"
    )


def explain_bptt() -> str:
    """The check and the products on the example page of ``seqlab explain bptt``."""
    r = _page_numbers("bptt")
    lines = [
        f"| ‖W‖₂ | mean factor | product of the {r['length']} factors | ‖∂h_L/∂h_0‖ |",
        "|---:|---:|---:|---:|",
    ]
    for scale, v in r["scales"].items():
        lines.append(
            f"| {scale} | {v['mean_factor']:.3f} | {v['product']:.2e} | {v['exact']:.2e} |"
        )
    return "\n".join(lines) + (
        f"\n\nLargest difference between the hand-written gradients and autograd's: "
        f"{r['max_difference']:.1e} (float64, H = {r['hidden']}).\n"
    )


# name -> (file holding its markers, renderer)
TABLES: dict[str, tuple[Path, Callable[[], str]]] = {
    "demo": (ROOT / "README.md", demo),
    "demo-seconds": (ROOT / "docs" / "forecasting.md", demo_seconds),
    "speed": (ROOT / "docs" / "benchmarks.md", speed),
    "overhead": (ROOT / "docs" / "scale.md", overhead),
    "ltsf": (ROOT / "docs" / "benchmarks.md", ltsf),
    "lengths": (ROOT / "docs" / "benchmarks.md", lengths),
    "text": (ROOT / "docs" / "benchmarks.md", text),
    "lm-floors": (ROOT / "docs" / "benchmarks.md", lm_floors),
    "poems": (ROOT / "docs" / "benchmarks.md", poems),
    "lm-speed": (ROOT / "docs" / "benchmarks.md", lm_speed),
    "lm-shakespeare": (ROOT / "docs" / "benchmarks.md", lm_shakespeare),
    "sentiment-transfer": (ROOT / "docs" / "benchmarks.md", sentiment_transfer),
    "seq2seq-g2p": (ROOT / "docs" / "results" / "seq2seq.md", seq2seq_g2p),
    "seq2seq-mt": (ROOT / "docs" / "results" / "seq2seq.md", seq2seq_mt),
    "seq2seq-speed": (ROOT / "docs" / "results" / "seq2seq.md", seq2seq_speed),
    "m4": (ROOT / "docs" / "results" / "m4.md", m4),
    "panel-scale": (ROOT / "docs" / "results" / "m4.md", panel_scale),
    "memory": (ROOT / "docs" / "results" / "memory.md", memory),
    "explain-times": (ROOT / "docs" / "explain.md", explain_times),
    "explain-bptt": (ROOT / "docs" / "explain.md", explain_bptt),
    "explain-gradients": (ROOT / "docs" / "explain.md", explain_gradients),
}


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"<!-- {name} -->\n.*?<!-- /{name} -->", flags=re.S)


def rendered(name: str, text: str) -> str:
    """``text`` with the block ``name`` rendered afresh."""
    block = f"<!-- {name} -->\n{TABLES[name][1]()}<!-- /{name} -->"
    if not _pattern(name).search(text):
        raise SystemExit(f"no <!-- {name} --> markers in {TABLES[name][0].name}")
    return _pattern(name).sub(lambda _: block, text)


def update(*names: str) -> None:
    """Rewrite the named tables (all when none is named) in their files."""
    for name in names or tuple(TABLES):
        path = TABLES[name][0]
        path.write_text(rendered(name, path.read_text()))


def stale() -> list[str]:
    """The tables whose text differs from what their JSON renders."""
    return [n for n, (p, _) in TABLES.items() if rendered(n, p.read_text()) != p.read_text()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a table is stale")
    args = parser.parse_args()
    if args.check:
        names = stale()
        print("stale: " + ", ".join(names) if names else "every table matches its JSON")
        sys.exit(1 if names else 0)
    update()
    print("rewrote: " + ", ".join(TABLES))


if __name__ == "__main__":
    main()
