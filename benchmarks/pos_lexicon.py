"""Whether the POS lexicon should take the words first seen in the validation lines.

    python benchmarks/pos_lexicon.py     # writes benchmarks/results/pos_lexicon.json

The check made before the shipped lexicon took them, without the test lines: the validation
lines are split in two halves and each half is tagged (gold words, bundled models) with the
training lexicon, then with the training lexicon plus the words the other half adds (a
training word keeps its entry, as ``seqlab.text.tools.train`` does). About 30 seconds on 2 cores.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from seqlab.text import PosTagger
from seqlab.text.tools import _fullwidth, _tag_counts, _tag_lexicon, _word_features, tagging_data

RESULT = Path(__file__).resolve().parent / "results" / "pos_lexicon.json"


def _right(tool: PosTagger, lines: list, lexicon: dict) -> int:
    words = [ws for ws, _ in lines]
    features = [_word_features(ws, lexicon) for ws in words]
    predicted = tool.model.predict(words, features=features)
    pairs = zip(predicted, lines, strict=True)
    return sum(p == t for ps, (_, ts) in pairs for p, t in zip(ps, ts, strict=True))


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="example: python benchmarks/pos_lexicon.py",
    ).parse_args()
    torch.set_num_threads(2)
    tool = PosTagger.pretrained()
    train, val = (
        [([_fullwidth(w) for w in ws], ts) for ws, ts in tagging_data("pos", part) if ws]
        for part in ("train", "val")
    )
    lexicon = _tag_lexicon(_tag_counts(train))
    halves = [val[: len(val) // 2], val[len(val) // 2 :]]
    tokens = sum(len(ts) for _, ts in val)
    right = {"training lexicon": 0, "with the other half's new words": 0}
    for i, half in enumerate(halves):
        added = {**lexicon, **_tag_lexicon(_tag_counts(halves[1 - i], skip=lexicon))}
        right["training lexicon"] += _right(tool, half, lexicon)
        right["with the other half's new words"] += _right(tool, half, added)
    result = {name: round(100 * n / tokens, 3) for name, n in right.items()}
    result["tokens"] = tokens
    RESULT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
