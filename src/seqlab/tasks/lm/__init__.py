"""Language models: :class:`LanguageModel` (model.py: the next token, trained on streams
with the state carried; generation) and its decoding (decoding.py: sampling filters, poem
forms and acrostics as per-step masks; beam search is the tasks' shared one, search.py).
"""

from seqlab.tasks.lm.model import LanguageModel

__all__ = ["LanguageModel"]
