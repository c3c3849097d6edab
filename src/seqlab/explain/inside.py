"""What a fitted model does on real input: the gates of a recurrent forecaster, the
attention weights of a Transformer forecaster and of the translator, and the sinusoidal
positions the Transformer adds.

Nothing is stored on the models for this: a forward pre-hook takes the input that the
recurrent layer or the encoder receives inside ``Forecaster.predict`` (after scaling, and
RevIN where the model has it), and that input is run again with the inspection switched on
(``Recurrent(backend="cells")``'s ``return_gates``, ``TransformerEncoder``'s
``return_weights``).

where:
    L  steps of the window    E  hidden size    A  heads
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import Tensor, nn

from seqlab.errors import ConfigError
from seqlab.nn import Recurrent, TransformerEncoder, sinusoidal_positional_encoding

__all__ = ["attention_weights", "encoder_input", "position_similarity", "recurrent_gates"]

GATE_NAMES = {
    "lstm": {"i": "input gate i", "f": "forget gate f", "o": "output gate o"},
    "gru": {"r": "reset gate r", "z": "update gate z"},
}


def encoder_input(fc: Any, df: pd.DataFrame, kind: type[nn.Module]) -> tuple[nn.Module, Tensor]:
    """The first ``kind`` module inside forecaster ``fc``'s network and the input it gets
    when ``fc`` forecasts from the end of ``df`` (one window, (1, L, ·))."""
    module = next((m for m in fc.model_.modules() if isinstance(m, kind)), None)
    if module is None:
        wanted = "lstm or gru" if kind is Recurrent else "transformer"
        raise ConfigError(
            f"model of the saved forecaster must be {wanted} to be looked at this way; got "
            f"{fc.model!r}. Pass the folder of a {wanted} model, e.g. runs/X/"
            f"{'lstm' if kind is Recurrent else 'transformer'}.",
            param="model",
        )
    seen: list[Tensor] = []
    handle = module.register_forward_pre_hook(lambda _, args: seen.append(args[0].detach()))
    try:
        fc.predict(df)
    finally:
        handle.remove()
    return module, seen[0][:1].cpu().float()


def recurrent_gates(fc: Any, df: pd.DataFrame) -> list[dict[str, np.ndarray]]:
    """The gates of forecaster ``fc``'s recurrent encoder over the last window of ``df``:
    per layer (and direction), each gate (E, L): input, forget and output (LSTM), reset and
    update (GRU), in [0, 1]."""
    layer, x = encoder_input(fc, df, Recurrent)
    assert isinstance(layer, Recurrent)
    if layer.kind not in GATE_NAMES:
        raise ConfigError(
            f"model of the saved forecaster must be lstm or gru to have gates; got "
            f"{layer.kind!r}. Pass the folder of an lstm or gru model.",
            param="model",
        )
    cells = Recurrent(
        layer.kind,
        layer.input_size,
        layer.hidden_size,
        layer.num_layers,
        layer.bidirectional,
        backend="cells",
    )
    cells.load_state_dict(layer.state_dict())
    with torch.no_grad():
        _, _, gates = cells.eval()(x, return_gates=True)
    return [{g: d[g][0].T.numpy() for g in GATE_NAMES[layer.kind]} for d in gates]


def attention_weights(fc: Any, df: pd.DataFrame) -> list[np.ndarray]:
    """The self-attention weights of forecaster ``fc``'s Transformer encoder over the last
    window of ``df``: per layer, (A, L, L), row = query step, column = key step."""
    encoder, x = encoder_input(fc, df, TransformerEncoder)
    with torch.no_grad():
        _, weights = encoder.eval()(x, return_weights=True)
    return [w[0].numpy() for w in weights]


def position_similarity(length: int, d_model: int) -> tuple[np.ndarray, np.ndarray]:
    """The sinusoidal encoding (L, d_model) and the dot products between every pair of
    positions (L, L). PE(p)·PE(p + Δ) = Σ_i cos(ω_i Δ): it depends on Δ alone."""
    pe = sinusoidal_positional_encoding(length, d_model).double()
    return pe.numpy(), (pe @ pe.T).numpy()
