"""The sequence-to-sequence splits: CMUdict by word, Tatoeba by groups of pairs that share a
sentence — nothing of a test item is seen in training or validation."""

import re

import pytest

from seqlab.data import corpora
from seqlab.data.pairs import hold_out_sources, tatoeba_groups
from seqlab.datasets.pairs import TatoebaPair, cmudict, tatoeba


def test_cmudict_counts_as_its_readme_gives_them():
    words = cmudict()
    assert len(words) == 126_052
    # 135,166 entries, of which 306 repeat another pronunciation of their word once the
    # stress digits are deleted
    assert sum(len(p) for _, p in words) == 135_166 - 306
    # the comment "# place, danish" dropped, aalborg(2) merged into aalborg
    assert dict(words)["aalborg"] == ["AO L B AO R G", "AA L B AO R G"]
    assert not any(re.search(r"\d|#", p) for _, prons in words for p in prons)
    with_stress = dict(cmudict(stress=True))
    assert with_stress["aalborg"] == ["AO1 L B AO0 R G", "AA1 L B AO0 R G"]


def test_cmudict_split_is_by_word_in_g2p_seq2seqs_proportions():
    parts = {p: corpora.split("cmudict", p) for p in ("train", "val", "test")}
    words = {p: {w for w, _ in items} for p, items in parts.items()}
    assert not words["train"] & words["test"] and not words["val"] & words["test"]
    assert not words["train"] & words["val"]
    assert [len(words[p]) for p in ("train", "val", "test")] == [107_146, 6_302, 12_604]
    order = [w for w, _ in cmudict()]
    assert order[17] in words["test"] and order[18] in words["test"] and order[19] in words["val"]


def test_tatoeba_split_shares_no_sentence_between_its_parts():
    parts = {p: corpora.split("tatoeba", p) for p in ("train", "val", "test")}
    assert [len(parts[p]) for p in ("train", "val", "test")] == [23_195, 2_964, 2_896]
    assert sum(map(len, parts.values())) == 29_155 - 100  # the exact repeats kept once
    for language in ("english", "chinese"):
        seen = {p: {getattr(x, language) for x in items} for p, items in parts.items()}
        assert not seen["train"] & seen["test"], language
        assert not seen["val"] & seen["test"], language
        assert not seen["train"] & seen["val"], language
    assert all(
        p.attribution.startswith("CC-BY 2.0 (France) Attribution: tatoeba.org #")
        for p in parts["train"]
    )


def test_tatoeba_groups_join_pairs_through_either_sentence():
    pairs = [
        TatoebaPair("a", "x", ""),
        TatoebaPair("b", "y", ""),
        TatoebaPair("a", "z", ""),
        TatoebaPair("c", "z", ""),
        TatoebaPair("d", "w", ""),
    ]
    assert tatoeba_groups(pairs) == [0, 1, 0, 0, 2]
    assert max(tatoeba_groups(tatoeba())) + 1 == 24_363


def test_hold_out_keeps_every_pair_of_a_source_on_one_side():
    sources = ["a", "b", "a", "c", "d", "b"] * 3
    kept, held = hold_out_sources(sources, list(range(len(sources))), 0.5, seed=1)
    assert held[0] and not set(kept[0]) & set(held[0])
    assert sorted(kept[1] + held[1]) == list(range(len(sources)))


def test_a_missing_file_is_one_sentence_not_a_download(monkeypatch, tmp_path):
    from seqlab.errors import DataError

    monkeypatch.setenv("SEQLAB_DATA_DIR", str(tmp_path))
    with pytest.raises(DataError, match=r"^download of tatoeba/cmn.txt must reach https://"):
        tatoeba()


def test_the_everyday_sentences_of_the_translation_check_are_not_tatoeba_sentences():
    import importlib.util
    from pathlib import Path

    from seqlab.datasets.pairs import tatoeba

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "translate_everyday.py"
    spec = importlib.util.spec_from_file_location("translate_everyday", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    import sys

    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    pairs = tatoeba()
    seen = {p.chinese for p in pairs} | {p.english for p in pairs}
    sentences = [s for s, _ in module.ZH_EN] + [s for s, _ in module.EN_ZH]
    assert len(sentences) == 24 and not set(sentences) & seen
