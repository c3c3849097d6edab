"""Measure how far the equation-level backend is from the fused kernels (``explain parity``)."""

from __future__ import annotations

import torch

from seqlab.errors import check, one_of
from seqlab.nn.recurrent import Recurrent

__all__ = ["compare_backends"]

_DTYPES = {"float32": torch.float32, "float64": torch.float64}


def compare_backends(
    kind: str, num_layers: int, bidirectional: bool, dtype: str = "float64", seed: int = 0
) -> dict[str, float]:
    """Largest |fused - cells| in outputs, states, input and weight gradients, on random data."""
    check("compare_backends", {"dtype": one_of(*_DTYPES)}, {"dtype": dtype})
    torch.manual_seed(seed)
    fused = Recurrent(kind, 3, 8, num_layers, bidirectional).to(_DTYPES[dtype])
    cells = Recurrent(kind, 3, 8, num_layers, bidirectional, backend="cells")
    cells = cells.to(_DTYPES[dtype])
    cells.load_state_dict(fused.state_dict())
    x = torch.randn(5, 12, 3, dtype=_DTYPES[dtype])
    lengths = torch.tensor([12, 9, 5, 2, 1])
    results = []
    for layer in (fused, cells):
        xi = x.clone().requires_grad_(True)
        out, state = layer(xi, lengths=lengths)
        states = list(state) if isinstance(state, tuple) else [state]
        loss = out.sum() + sum(s.sum() for s in states)
        x_grad, *grads = torch.autograd.grad(loss, [xi, *layer.parameters()])
        results.append((out, states, x_grad, grads))
    (o1, s1, x1, g1), (o2, s2, x2, g2) = results

    def biggest(a: list[torch.Tensor], b: list[torch.Tensor]) -> float:
        return max((p - q).abs().max().item() for p, q in zip(a, b, strict=True))

    return {
        "output": biggest([o1], [o2]),
        "state": biggest(s1, s2),
        "input": biggest([x1], [x2]),
        "weights": biggest(g1, g2),
    }
