"""`seqlab text`: the tools on arguments, files and standard input; training; bad input."""

import gzip
import json
from collections import Counter

from typer.testing import CliRunner

from seqlab.cli import app
from seqlab.data.corpora import split
from seqlab.data.text_features import fullwidth
from seqlab.io import read_json
from seqlab.text import PosTagger
from seqlab.text.recipes import POS_MIN_COUNT

runner = CliRunner()


def test_segment_a_text_with_a_user_word():
    result = runner.invoke(
        app, ["text", "segment", "我毕业于华清远见成都中心人工智能专业", "--word", "华清远见"]
    )
    assert result.exit_code == 0, result.output
    assert "华清远见" in result.output.split()
    assert result.output.replace(" ", "").strip() == "我毕业于华清远见成都中心人工智能专业"


def test_segment_a_file_keeps_one_line_per_line(tmp_path):
    lines = ["我爱北京天安门", "", "Hello world", "长" * 3000]
    (tmp_path / "in.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["text", "segment", "--file", str(tmp_path / "in.txt")])
    assert result.exit_code == 0, result.output
    out = result.output.split("\n")[: len(lines)]
    assert out[0] == "我 爱 北京 天安门" and out[1] == ""
    assert [o.replace(" ", "") for o in out] == [line.replace(" ", "") for line in lines]


def test_tag_and_sentiment_read_standard_input():
    result = runner.invoke(app, ["text", "tag"], input="我爱北京\n")
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["我/r", "爱/v", "北京/ns"]
    result = runner.invoke(app, ["text", "sentiment"], input="服务很好，很满意\n \n太差了，失望\n")
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.output.strip().split("\n")]
    assert [r[0] for r in rows] == ["pos", "-", "neg"]  # an empty line: nothing to judge
    assert float(rows[0][1]) > 0.5 > float(rows[2][1]) and rows[1][1] == "-"


def test_unreadable_file_is_one_sentence(tmp_path):
    result = runner.invoke(app, ["text", "segment", "--file", str(tmp_path / "missing.txt")])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: --file of seqlab text segment must be a readable UTF-8 text file; got "
        f"'{tmp_path / 'missing.txt'}' (No such file or directory). Check the path and the "
        "encoding."
    )
    (tmp_path / "latin1.txt").write_bytes("café".encode("latin-1"))
    result = runner.invoke(app, ["text", "tag", "--file", str(tmp_path / "latin1.txt")])
    assert result.exit_code == 1
    assert result.output.replace("\n", " ").strip() == (
        f"error: --file of seqlab text tag ('{tmp_path / 'latin1.txt'}') must be UTF-8 (or "
        "GBK/GB18030) text; got bytes that are neither. Convert it to UTF-8, e.g. iconv -f "
        "BIG5 -t UTF-8."
    )


def test_standard_input_in_gbk_or_with_a_byte_order_mark_is_read_as_its_text():
    """A Chinese Windows pipe (GBK) is read as GBK, with a note; a UTF-8 byte-order mark is
    no character of the text."""
    gbk = runner.invoke(app, ["text", "segment"], input="我爱北京天安门\n".encode("gbk"))
    assert gbk.exit_code == 0, gbk.output
    assert "我 爱 北京 天安门" in gbk.output
    assert "is not UTF-8; read it as GBK/GB18030" in gbk.output.replace(" \n", " ")
    bom = runner.invoke(app, ["text", "segment"], input="\ufeff我爱北京天安门\n".encode())
    assert bom.exit_code == 0 and "\ufeff" not in bom.output
    assert bom.output.splitlines()[-1] == "我 爱 北京 天安门"


def test_text_and_file_together_is_an_error(tmp_path):
    result = runner.invoke(app, ["text", "segment", "我", "--file", str(tmp_path)])
    assert result.exit_code == 1
    assert "must be a text or --file, not both" in result.output


def _train(task: str, limit: int, out, *options: str) -> None:
    """One quick epoch of `seqlab text train` on the first ``limit`` training lines."""
    result = runner.invoke(
        app,
        [
            "text",
            "train",
            task,
            "--limit",
            str(limit),
            "--epochs",
            "1",
            "--device",
            "cpu",
            "--out",
            str(out),
            *options,
        ],
    )
    assert result.exit_code == 0, result.output


def test_trained_segmenter_keeps_its_dictionary(tmp_path):
    _train("segment", 60, tmp_path)
    words = gzip.decompress((tmp_path / "segment" / "words.txt.gz").read_bytes()).decode()
    lines = split("segment", "train")[:60]
    assert set(words.split()) == {w for ws, _ in lines for w in ws if len(w) > 1}
    result = runner.invoke(
        app, ["text", "segment", "我爱北京", "--from", str(tmp_path / "segment")]
    )
    assert result.exit_code == 0, result.output
    assert "".join(result.output.split()) == "我爱北京"


def test_train_writes_a_model_the_tools_can_use(tmp_path):
    _train("sentiment", 300, tmp_path)
    scores = json.loads((tmp_path / "sentiment" / "scores.json").read_text())
    assert 0 <= scores["accuracy"] <= 100 and "macro_f1" in scores
    result = runner.invoke(app, ["text", "sentiment", "好", "--from", str(tmp_path / "sentiment")])
    assert result.exit_code == 0, result.output
    assert result.output.split("\t")[0] in ("pos", "neg")


def test_sentiment_trains_from_a_language_model_and_scores_csc947(tmp_path):
    from seqlab.tasks import SequenceClassifier

    text = tmp_path / "reviews.txt"
    text.write_text("\n".join(t for t, _ in split("sentiment", "train")[:200]), "utf-8")
    lm = ["--model", "gru", "--hidden", "16", "--layers", "1", "--context", "16"]
    _train("lm", 0, tmp_path, "--data", str(text), "--documents", "lines", *lm)
    _train("sentiment", 200, tmp_path, "--members", "1", "--pretrained", str(tmp_path / "lm"))
    scores = json.loads((tmp_path / "sentiment" / "scores.json").read_text())
    assert {"accuracy", "csc947_accuracy", "csc947_macro_f1"} <= set(scores)
    clf = SequenceClassifier.load(tmp_path / "sentiment", device="cpu")
    assert (clf.model, clf.hidden_size, clf.bidirectional) == ("gru", 16, False)
    assert clf.pretrained == str(tmp_path / "lm")


def test_trained_pos_tagger_embeds_frequent_words_and_ships_its_tag_lexicon(tmp_path):
    _train("pos", 100, tmp_path, "--members", "2")
    config = json.loads((tmp_path / "pos" / "config.json").read_text("utf-8"))
    assert config["members"] == 2  # two taggers, averaged
    tokens = set(read_json(tmp_path / "pos" / "vocab.json.gz")["tokens"])
    # the recipe refits: the first 100 training lines and, with --limit 100, 10 validation lines
    lines = split("pos", "train")[:100] + split("pos", "val")[:10]
    counts = Counter(fullwidth(w) for words, _ in lines for w in words)
    # words seen POS_MIN_COUNT times or more are tokens; rarer ones share <unk>
    assert {w for w, n in counts.items() if n >= POS_MIN_COUNT} | {"<pad>", "<unk>"} == tokens
    # six features per word: four of its characters, its shape, its lexicon tags
    features = read_json(tmp_path / "pos" / "features.json.gz")
    assert features["per_token"] == 6
    assert {c for w in counts for c in (w[0], w[-1])} <= set(features["tokens"])
    # the lexicon holds every word of those lines with its tags, most frequent first
    rows = gzip.decompress((tmp_path / "pos" / "tags.txt.gz").read_bytes()).decode().splitlines()
    lexicon = {word: tags for word, *tags in (row.split(" ") for row in rows)}
    assert set(lexicon) == set(counts)
    pairs = Counter(
        (fullwidth(w), t) for words, tags in lines for w, t in zip(words, tags, strict=True)
    )
    for word in counts:
        tags = lexicon[word]
        seen = [pairs[word, t] for t in tags]
        assert seen == sorted(seen, reverse=True) and sum(seen) == counts[word]
    assert PosTagger.load(tmp_path / "pos").lexicon == lexicon
    result = runner.invoke(app, ["text", "tag", "我爱北京", "--from", str(tmp_path / "pos")])
    assert result.exit_code == 0, result.output
    pairs_out = [p.rsplit("/", 1) for p in result.output.split()]
    assert "".join(w for w, _ in pairs_out) == "我爱北京" and all(t for _, t in pairs_out)


def test_train_rejects_an_unknown_task():
    result = runner.invoke(app, ["text", "train", "ner"])
    assert result.exit_code == 1
    assert "task of train must be one of 'segment', 'pos', 'sentiment'; got 'ner'" in result.output


def test_text_help_shows_examples():
    result = runner.invoke(app, ["text", "--help"])
    assert result.exit_code == 0 and "seqlab text segment" in result.output
