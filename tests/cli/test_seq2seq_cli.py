"""``seqlab seq2seq train`` / ``predict`` on a user's pairs file, and ``seqlab text
translate`` with the bundled translators: outputs, n-best, the attention map, notes on inputs
the model may read poorly, and bad input in one sentence."""

import random

import pytest
from typer.testing import CliRunner

from seqlab.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    rng = random.Random(0)
    words = ["".join(rng.choice("abcdef") for _ in range(rng.randint(2, 6))) for _ in range(900)]
    folder = tmp_path_factory.mktemp("s2s")
    lines = [f"{w}\t{w[::-1]}\tsome attribution" for w in words]
    lines.insert(10, "")  # an empty line is skipped
    (folder / "pairs.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "seq2seq",
            "train",
            "--data",
            str(folder / "pairs.tsv"),
            "--model",
            "gru",
            "--hidden-size",
            "48",
            "--embedding-dim",
            "24",
            "--epochs",
            "8",
            "--batch-size",
            "32",
            "--lr",
            "0.005",
            "--out",
            str(folder / "model"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "skipped 1 empty line" in result.output
    assert "held out" in result.output and "exact" in result.output
    return folder


def test_train_saves_a_model_and_its_held_out_scores(trained):
    import json

    scores = json.loads((trained / "model" / "scores.json").read_text())
    assert scores["held_out"]["exact"] >= 60
    assert len(scores["history"]) >= 1


def test_predict_decodes_text_file_and_n_best(trained, tmp_path):
    model = str(trained / "model")
    result = runner.invoke(app, ["seq2seq", "predict", "--from", model, "abcd", "--beam", "3"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "dcba"
    (tmp_path / "in.txt").write_text("abc\n\nfed\n", encoding="utf-8")
    result = runner.invoke(
        app, ["seq2seq", "predict", "--from", model, "--file", str(tmp_path / "in.txt")]
    )
    assert result.output.split("\n")[:3] == ["cba", "", "def"]
    result = runner.invoke(
        app, ["seq2seq", "predict", "--from", model, "abc", "--beam", "3", "--n-best", "2"]
    )
    rows = [line.split("\t") for line in result.output.strip().split("\n")]
    assert [r[0] for r in rows] == ["1", "2"] and rows[0][2] == "cba"
    assert float(rows[0][1]) >= float(rows[1][1])


def test_predict_draws_the_attention_map(trained, tmp_path):
    png = tmp_path / "attention.png"
    result = runner.invoke(
        app, ["seq2seq", "predict", "--from", str(trained / "model"), "abcd", "--plot", str(png)]
    )
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unseen_characters_and_long_sources_get_a_note_and_an_output(trained):
    model = str(trained / "model")
    result = runner.invoke(app, ["seq2seq", "predict", "--from", model, "abxyz"])
    assert result.exit_code == 0, result.output
    assert "note: line 1 has tokens the model never saw (x y z); they are read as <unk>." in (
        result.output
    )
    result = runner.invoke(app, ["seq2seq", "predict", "--from", model, "abcdef" * 4])
    assert result.exit_code == 0, result.output
    assert "note: line 1 is longer (24 tokens) than any training source (6)" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "abc\tcba\nabc cba\n",
            "must hold a source and a target on each line, separated by "
            "a tab; got one column on line 2 ('abc cba'). Separate the two with a tab.",
        ),
        (
            "abc\t\n",
            "must have a non-empty source and target on each line; got an empty target on line 1.",
        ),
        ("\n\n", "must hold at least one pair; got none"),
    ],
)
def test_a_bad_pairs_file_is_one_sentence(tmp_path, content, message):
    (tmp_path / "bad.tsv").write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["seq2seq", "train", "--data", str(tmp_path / "bad.tsv")])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_a_held_out_share_outside_0_1_is_one_sentence_naming_the_option(tmp_path):
    (tmp_path / "ok.tsv").write_text("ab\tba\ncd\tdc\n", encoding="utf-8")
    result = runner.invoke(
        app, ["seq2seq", "train", "--data", str(tmp_path / "ok.tsv"), "--val-size", "0"]
    )
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "val_size of seqlab seq2seq train must be a fraction in (0, 1); got 0.0." in text
    assert "--val-size" in text


def test_translate_in_python_goes_each_way_and_keeps_empty_texts():
    from seqlab.text import translate

    english, empty, chinese = translate(["他喜欢喝茶。", "", "I like tea."])
    assert english.isascii() and "tea" in english and empty == "" and "茶" in chinese


def test_a_missing_model_folder_is_one_sentence(tmp_path):
    result = runner.invoke(app, ["seq2seq", "predict", "--from", str(tmp_path / "no"), "abc"])
    assert result.exit_code == 1
    assert "must be a folder written by save()" in " ".join(result.output.split())


def test_translate_with_the_bundled_models_both_ways():
    result = runner.invoke(app, ["text", "translate", "他喜欢喝茶。"])
    assert result.exit_code == 0, result.output
    english = result.output.strip()
    assert english.isascii() and "tea" in english.split(" ")[-1]
    result = runner.invoke(app, ["text", "translate", "I like tea.", "--to", "zh"])
    assert result.exit_code == 0, result.output
    assert "茶" in result.output
    result = runner.invoke(app, ["text", "translate"], input="我很高兴。\n\nI like tea.\n")
    lines = result.output.split("\n")
    assert lines[0].isascii() and lines[1] == "" and "茶" in lines[2]  # each line its way
    result = runner.invoke(app, ["text", "translate", "--to", "fr", "hello"])
    assert result.exit_code == 1
    assert "to of translate must be one of 'en', 'zh'" in " ".join(result.output.split())


def test_the_bundled_translators_carry_the_tatoeba_attribution_and_fit_in_10_mb_each():
    import gzip

    from seqlab.text import weights_path

    for direction in ("zh-en", "en-zh"):
        folder = weights_path(f"translate-{direction}")
        note = (folder / "ATTRIBUTION.md").read_text(encoding="utf-8")
        assert "Tatoeba" in note and "CC BY 2.0 FR" in note
        lines = gzip.decompress((folder / "pairs.attribution.txt.gz").read_bytes()).decode()
        assert len(lines.splitlines()) == 23_195
        assert sum(f.stat().st_size for f in folder.iterdir()) <= 10_000_000


def test_pronounce_with_the_bundled_model():
    result = runner.invoke(app, ["text", "pronounce", "cat", "Dog"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["cat\tK AE T", "Dog\tD AO G"]
    result = runner.invoke(app, ["text", "pronounce", "--n-best", "2", "--beam", "3", "tomato"])
    lines = result.output.splitlines()
    assert len(lines) == 2 and all(line.startswith("tomato\t") for line in lines)
    result = runner.invoke(app, ["text", "pronounce"], input="hello\n\nworld\n")
    assert [line.split("\t")[0] for line in result.output.splitlines()] == ["hello", "world"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["北京"], "words of pronounce must be spelled with the letters a-z, ' . and -; got '北'"),
        (["r2d2"], "got '2' in 'r2d2'. Write numbers out in words"),
        (["cat", "--beam", "0"], "beam of Seq2Seq.predict must be a positive integer"),
        (["cat", "--n-best", "3", "--beam", "2"], "n_best of Seq2Seq.predict must be"),
    ],
)
def test_pronounce_refuses_bad_input_in_one_sentence(args, said):
    result = runner.invoke(app, ["text", "pronounce", *args])
    assert result.exit_code == 1
    assert said in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_the_bundled_pronouncer_carries_the_cmudict_license():
    from seqlab.text import weights_path

    note = (weights_path("pronounce") / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "Carnegie Mellon University" in note and "CMU Pronouncing Dictionary" in note
