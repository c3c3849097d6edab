"""Everyday sentences a user types, through the bundled translators: are the content words
kept?

    python benchmarks/translate_everyday.py

Each sentence below comes with the words its translation must hold (any of the forms
listed, matched as whole words in English, as substrings in Chinese): the cities, numbers,
people, things and question words of the sentence. They were written before any model's
output was seen and are none of Tatoeba's sentences. Writes
benchmarks/results/translate_everyday.json (each sentence, its translation with beam 5, the
content words found and missed) and the table in docs/results/seq2seq.md.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import docs_tables

from seqlab.text.translate import BEAM, load_translator

RESULTS = Path(__file__).resolve().parent / "results" / "translate_everyday.json"

# (sentence, [content word: its accepted forms])
ZH_EN = [
    ("我们明天去北京。", [["we"], ["tomorrow"], ["beijing", "peking"]]),
    ("你哥哥叫什么名字？", [["what"], ["brother"], ["name"]]),
    ("火车站在哪里？", [["where"], ["station"]]),
    ("我有三个孩子。", [["three"], ["children", "kids"]]),
    ("广州今天天气很热。", [["guangzhou", "canton"], ["today"], ["hot"]]),
    ("我想买两杯咖啡。", [["two"], ["coffee", "coffees"], ["buy"]]),
    ("他在上海工作。", [["he"], ["shanghai"], ["works", "working", "work"]]),
    ("这双鞋多少钱？", [["how"], ["shoes"], ["much", "cost"]]),
    ("我的妈妈是老师。", [["mother", "mom", "mum"], ["teacher"]]),
    ("请给我五个苹果。", [["five"], ["apples"]]),
    ("你会说英语吗？", [["you"], ["speak"], ["english"]]),
    ("我的父亲昨天去了医院。", [["father", "dad"], ["yesterday"], ["hospital"]]),
]
EN_ZH = [
    ("We are going to Beijing tomorrow.", [["我们"], ["明天"], ["北京"]]),
    ("What is your brother's name?", [["哥哥", "兄弟", "弟弟"], ["名字", "叫"]]),
    ("Where is the train station?", [["哪"], ["车站", "火车站"]]),
    ("I have three children.", [["三"], ["孩子"]]),
    ("The weather is nice today.", [["今天"], ["天气"]]),
    ("I would like a cup of coffee.", [["咖啡"]]),
    ("He works in Shanghai.", [["他"], ["上海"], ["工作"]]),
    ("How much are these shoes?", [["鞋"], ["多少", "几"]]),
    ("My mother is a teacher.", [["妈妈", "母亲"], ["老师", "教师"]]),
    ("Please give me five apples.", [["五"], ["苹果"]]),
    ("Can your sister speak English?", [["姐姐", "妹妹", "姊妹"], ["英语", "英文"]]),
    ("My father went to the hospital yesterday.", [["父亲", "爸爸"], ["昨天"], ["医院"]]),
]


def found(translation: str, forms: list[str], chinese: bool) -> bool:
    if chinese:
        return any(f in translation for f in forms)
    words = set(re.findall(r"[a-z]+", translation.lower()))
    return any(f in words for f in forms)


def run() -> dict:
    out: dict = {}
    for direction, items in (("zh-en", ZH_EN), ("en-zh", EN_ZH)):
        model = load_translator(direction)
        t0 = time.perf_counter()
        translations = model.predict([s for s, _ in items], beam=BEAM)
        rows = []
        for (sentence, words), text in zip(items, translations, strict=True):
            kept = [forms[0] for forms in words if found(text, forms, direction == "en-zh")]
            missed = [forms[0] for forms in words if forms[0] not in kept]
            rows.append({"source": sentence, "translation": text, "kept": kept, "missed": missed})
        total = sum(len(w) for _, w in items)
        out[direction] = {
            "rows": rows,
            "content_words": total,
            "kept": sum(len(r["kept"]) for r in rows),
            "sentences_whole": sum(not r["missed"] for r in rows),
            "seconds": time.perf_counter() - t0,
        }
    return out


def table_translate_everyday() -> str:
    r = docs_tables.read_json("translate_everyday")
    lines = ["| direction | source | bundled translator, beam 5 | content words missed |"]
    lines.append("|---|---|---|---|")
    for direction in ("zh-en", "en-zh"):
        for row in r[direction]["rows"]:  # type: ignore[index]
            missed = ", ".join(row["missed"]) or "none"
            lines.append(f"| {direction} | {row['source']} | {row['translation']} | {missed} |")
    summary = [
        f"{d}: {r[d]['kept']} of {r[d]['content_words']} content words kept, "  # type: ignore[index]
        f"{r[d]['sentences_whole']} of {len(r[d]['rows'])} sentences whole"  # type: ignore[index]
        for d in ("zh-en", "en-zh")
    ]
    return "\n".join(lines) + "\n\n" + "; ".join(summary) + ".\n"


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {
    "translate-everyday": (
        docs_tables.ROOT / "docs" / "results" / "seq2seq.md",
        table_translate_everyday,
    ),
}


def main() -> None:
    result = run()
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    docs_tables.update(TABLES)
    for d in ("zh-en", "en-zh"):
        print(d, result[d]["kept"], "/", result[d]["content_words"])


if __name__ == "__main__":
    main()
