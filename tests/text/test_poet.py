"""The bundled poem model: small enough to ship, loads with the package, writes every form it
is asked for, and scores on held-out poems what its benchmark JSON says."""

import json
import re
from pathlib import Path

import pytest

from seqlab.data.corpora import titled
from seqlab.errors import CheckpointError
from seqlab.text import load_poet, weights_path

RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "poem_model.json"


@pytest.fixture(scope="module")
def poet():
    return load_poet()


def test_the_bundled_poem_model_is_at_most_10_mb():  # the bundled translators' budget
    files = list(weights_path("poem").iterdir())
    assert {f.name for f in files} == {"config.json", "vocab.json.gz", "model.safetensors"}
    assert sum(f.stat().st_size for f in files) <= 10_000_000


def test_its_quatrains_and_regulated_verses_rhyme(poet):
    from seqlab.data.rhyme import check_poem
    from seqlab.text.poems import write_poem

    for seed in range(3):
        for form in ("5x4", "7x8"):
            poem = write_poem(poet, title="春风", form=form, seed=seed, temperature=0.8)
            found = check_poem(poem, *map(int, form.split("x")))
            assert found.lengths_ok and found.rhymes, poem


def test_it_writes_each_form_and_acrostic(poet):
    assert poet.conditional
    for seed in range(3):
        poem = poet.generate("春", form="5x4", seed=seed)
        assert re.fullmatch(r"春[^，。]{4}，[^，。]{5}。[^，。]{5}，[^，。]{5}。", poem), poem
        poem = poet.generate(form="7x4", acrostic="春夏秋冬", condition="四時", seed=seed)
        assert re.fullmatch(r"春[^，。]{6}，夏[^，。]{6}。秋[^，。]{6}，冬[^，。]{6}。", poem), poem


def test_its_held_out_score_is_the_one_published(poet):
    """Every held-out poem scored again (about 10 s): the figure of the benchmark's JSON,
    which was measured on this file, float16 as shipped."""
    run = next(r for r in json.loads(RESULTS.read_text()) if r["bundled"])
    held = [text for _, text in titled(run["corpus"], "val")]
    bits = poet.evaluate(held)["bits_per_char"]
    assert bits == pytest.approx(run["held_out_bits_per_char"], rel=1e-4)
    assert run["share_of_bigram_floor"] == pytest.approx(bits / run["bigram_floor_bits"], rel=1e-4)


def test_a_folder_without_a_model_is_one_sentence(tmp_path):
    with pytest.raises(CheckpointError, match=r"must be a folder written by|config.json"):
        load_poet(tmp_path)


def test_a_user_writing_simplified_characters_gets_a_simplified_poem(poet):
    from seqlab.text.poems import script_of, write_poem

    # the poet learned 全唐诗 in traditional characters: 爱 and 国 are not in its vocabulary
    assert "爱" not in poet.vocab_ and "愛" in poet.vocab_
    poem = write_poem(poet, acrostic="我爱中国", form="5x4", seed=0)
    assert re.fullmatch(r"我[^，。]{4}，爱[^，。]{4}。中[^，。]{4}，国[^，。]{4}。", poem), poem
    assert script_of(poem) != "traditional"
    traditional = write_poem(poet, acrostic="我愛中國", form="5x4", seed=0)
    assert traditional.startswith("我") and "愛" in traditional and "國" in traditional


def test_the_title_changes_the_poem(poet):
    from seqlab.text.poems import write_poem

    poems = {write_poem(poet, title=t, form="5x4", seed=0) for t in ("静夜思", "春风", "边塞")}
    assert len(poems) == 3
