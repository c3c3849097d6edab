"""Ready-made text tools with bundled weights: Chinese word segmentation, POS tagging,
sentiment, poems, translation (Chinese ↔ English) and English pronunciation, and the recipes
that train them again. Needs the ``text`` extra (jieba, snownlp, sacrebleu, rapidfuzz, opencc).

The layers under them: tokenizers and vocabularies (:mod:`seqlab.data.tokens`), corpora and
their split (:mod:`seqlab.data.corpora`), features (:mod:`seqlab.data.text_features`),
padded batches (:mod:`seqlab.data.batches`), and the tasks (:mod:`seqlab.tasks`).

Example:
    >>> import seqlab as sl
    >>> seg = sl.text.Segmenter.pretrained()
    >>> seg.cut("我爱北京天安门")
    ['我', '爱', '北京', '天安门']
"""

from seqlab.text.poems import load_poet
from seqlab.text.pos import PosTagger
from seqlab.text.pronounce import load_pronouncer, pronounce
from seqlab.text.recipes import RECIPES, evaluate_tool, load_tool, train
from seqlab.text.segment import Segmenter
from seqlab.text.sentiment import SentimentClassifier
from seqlab.text.tool import weights_path
from seqlab.text.translate import load_translator, translate

__all__ = [
    "RECIPES",
    "PosTagger",
    "Segmenter",
    "SentimentClassifier",
    "evaluate_tool",
    "load_poet",
    "load_pronouncer",
    "load_tool",
    "load_translator",
    "pronounce",
    "train",
    "translate",
    "weights_path",
]
