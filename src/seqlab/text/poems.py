"""The bundled poem model: a character LSTM that writes Tang-style poems (全唐诗, traditional
script) for a title, trained by ``benchmarks/poem_model.py`` on the training poems of
:func:`seqlab.data.corpora.titled`; its held-out scores are in docs/benchmarks.md.

Example:
    >>> from seqlab.text import load_poet
    >>> poet = load_poet()                                        # doctest: +SKIP
    >>> poet.generate(form="5x4", acrostic="春夏秋冬", seed=0)      # doctest: +SKIP
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from seqlab.tasks import LanguageModel
from seqlab.text.tool import bundled_or_saved

__all__ = ["load_poet", "script_of", "write_poem"]

SIMPLIFIED, TRADITIONAL = "simplified", "traditional"
_CONFIGS = {SIMPLIFIED: "t2s", TRADITIONAL: "s2t"}  # OpenCC's: into that script


def load_poet(path: str | Path | None = None, device: str = "cpu") -> LanguageModel:
    """The language model saved in ``path`` (``LanguageModel.save``), else the bundled poem
    model."""
    folder = bundled_or_saved("poem", path, "poem model", "python benchmarks/poem_model.py")
    return LanguageModel.load(folder, device=device)


@functools.cache
def _converter(script: str) -> Any:
    import opencc

    return opencc.OpenCC(_CONFIGS[script])


def to_script(text: str, script: str) -> str:
    """``text`` in ``script`` ("simplified" or "traditional"), by OpenCC's phrase tables."""
    return _converter(script).convert(text)


def script_of(chars: Iterable[str]) -> str | None:
    """ "simplified" or "traditional": the script that more of ``chars`` belong to alone (a
    character that OpenCC would change into the other script), or None when no character
    tells (most characters are written alike in both).

    Example:
        >>> script_of("我爱中国"), script_of("我愛中國"), script_of("春風"), script_of("山水")
        ('simplified', 'traditional', 'traditional', None)
    """
    text = "".join(chars)
    simplified = sum(a != b for a, b in zip(text, to_script(text, TRADITIONAL), strict=False))
    traditional = sum(a != b for a, b in zip(text, to_script(text, SIMPLIFIED), strict=False))
    if simplified == traditional:
        return None
    return SIMPLIFIED if simplified > traditional else TRADITIONAL


def write_poem(
    poet: LanguageModel,
    prefix: str = "",
    title: str | None = None,
    acrostic: str | None = None,
    rhyme: bool | None = None,
    **settings: Any,
) -> str:
    """``poet.generate`` in the script the user wrote in: when ``prefix``, ``title`` and
    ``acrostic`` are in one script and the poet learned the other (the bundled one learned
    全唐诗 in traditional characters), they are converted into the poet's script, and the
    poem back into the user's. Text in neither (characters written alike in both) is read
    as it is and the poem comes in the poet's script. ``rhyme`` (None: when a form or
    acrostic is given and no beam search) makes lines 4, 6, ... end in line 2's rhyme.

    Example:
        >>> write_poem(load_poet(), acrostic="我爱中国", form="5x4", seed=0)  # doctest: +SKIP
    """
    if rhyme is None:  # a poem of a form rhymes, unless beam search writes it
        rhyme = bool(settings.get("form") or acrostic) and (settings.get("beam") or 1) == 1
    settings["rhyme"] = rhyme
    user = script_of(f"{prefix}{title or ''}{acrostic or ''}")
    model = script_of(poet.vocab_.itos[:3000])  # the frequent characters tell the script
    if user is None or model is None or user == model:
        return poet.generate(prefix, condition=title, acrostic=acrostic, **settings)
    into = functools.partial(to_script, script=model)
    poem = poet.generate(
        into(prefix),
        condition=None if title is None else into(title),
        acrostic=None if acrostic is None else into(acrostic),
        **settings,
    )
    return to_script(poem, user)
