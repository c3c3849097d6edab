"""The bundled poem model: a character LSTM that writes Tang-style poems (全唐诗, traditional
script) for a title, trained by ``benchmarks/poem_model.py`` on the training poems of
:func:`seqlab.data.corpora.titled`; its held-out scores are in docs/benchmarks.md.

Example:
    >>> from seqlab.text import load_poet
    >>> poet = load_poet()                                        # doctest: +SKIP
    >>> poet.generate(form="5x4", acrostic="春夏秋冬", seed=0)      # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

from seqlab.errors import CheckpointError
from seqlab.tasks import LanguageModel
from seqlab.text.tool import weights_path

__all__ = ["load_poet"]


def load_poet(path: str | Path | None = None, device: str = "cpu") -> LanguageModel:
    """The language model saved in ``path`` (``LanguageModel.save``), else the bundled poem
    model."""
    folder = Path(path) if path is not None else weights_path("poem")
    if path is None and not (folder / "config.json").is_file():
        raise CheckpointError(
            f"the bundled poem model must be in {str(folder)!r}; got no config.json there. "
            "Reinstall seqlab, or train one with python benchmarks/poem_model.py."
        )
    return LanguageModel.load(folder, device=device)
