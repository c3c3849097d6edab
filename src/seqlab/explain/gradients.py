r"""Gradients through time: how much the loss at the last step feels the state k steps back.

For a sequence of L steps and the loss L at its last step, the measure is the norm
‖∂L/∂h_k‖ of the gradient with respect to the state h_k that the network carries at step
L - 1 - k, averaged over a batch:

- ``rnn``, ``lstm``, ``gru``: h_k is the hidden state of every layer at that step (for the
  LSTM, its h; the cell c is a separate path that h feeds). The layer is unrolled with the
  cells' step functions (:mod:`seqlab.nn.cells`) on the model's own weights, so that every
  h_k is a tensor of the graph; its output equals the fused kernel's (tested).
- ``transformer``: h_k is the input of the first block at position k (the step's embedding
  plus its position); attention reaches every position in one hop, so nothing has to decay.
- ``tcn``: h_k is the first residual block's output at position k; the dilated blocks
  above it reach back in log₂ L levels.

A straight line on a log scale is a geometric decay; :func:`decay_slope` fits it.

where:
    N  batch    L  steps    E  state size
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor, nn

from seqlab.models.steps import StepModel
from seqlab.nn import Recurrent
from seqlab.nn.cells import cell_step

__all__ = ["decay_slope", "gradient_study", "state_gradients", "unrolled"]

Loss = Callable[[Tensor, Tensor], Tensor]


def unrolled(model: StepModel, x: Tensor) -> tuple[Tensor, list[list[Tensor]]]:
    """A recurrent StepModel run step by step: the last step's output (N, C_out) and, per
    step, the hidden state of each layer (each (N, E)), all in the graph."""
    layer = model.backbone
    if not isinstance(layer, Recurrent):
        raise TypeError(f"unrolled takes a recurrent StepModel; got kind {model.kind!r}.")
    n = x.shape[0]
    zeros = [x.new_zeros(n, layer.hidden_size) for _ in range(layer.num_layers)]
    h, c = list(zeros), list(zeros)
    weights = [
        [
            getattr(layer.rnn, f"{name}_l{i}")
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        ]
        for i in range(layer.num_layers)
    ]
    states = []
    for t in range(x.shape[1]):
        inputs = x[:, t]  # (N, C_in), then each layer's output
        for i, (w_ih, w_hh, b_ih, b_hh) in enumerate(weights):
            h[i], c[i], _ = cell_step(
                layer.kind, inputs, h[i], c[i], w_ih, w_hh, b_ih, b_hh, layer.nonlinearity
            )
            inputs = h[i]
        states.append(list(h))
    return model.head(h[-1]), states


def state_gradients(model: StepModel, x: Tensor, y: Tensor, loss: Loss) -> np.ndarray:
    """‖∂L/∂h_k‖ for k = 0 (the last step) … L - 1 (the first), the mean over the batch of
    each sequence's norm; ``loss(output (N, C_out), y)`` is the loss of the last step's
    output, summed over the batch so that each row's gradient is its own sequence's.

    It runs on a float64 copy of the model: a gradient that vanishes at 0.2 decades a step
    is below float32's smallest number (1e-38) 200 steps back, and would read as 0."""
    model = copy.deepcopy(model).double().eval()
    x, y = x.double(), y.double()
    if model.kind == "transformer":
        from seqlab.nn import sinusoidal_positional_encoding

        z = model.embed(x) + sinusoidal_positional_encoding(x.shape[1], model.hidden_size).to(x)
        out = model.head(model.backbone(z, causal=True)[:, -1])
        (g,) = torch.autograd.grad(loss(out, y), z)  # (N, L, E)
        norms = g.norm(dim=-1)  # (N, L)
    elif model.kind == "tcn":
        blocks = model.backbone
        assert isinstance(blocks, nn.Sequential)
        first = blocks[0](x.transpose(1, 2))  # (N, E, L)
        out = model.head(blocks[1:](first)[:, :, -1])
        (g,) = torch.autograd.grad(loss(out, y), first)
        norms = g.norm(dim=1)  # (N, L)
    else:
        out, states = unrolled(model, x)
        flat = [s for step in states for s in step]
        grads = torch.autograd.grad(loss(out, y), flat, allow_unused=True)
        # a state no loss depends on (none here, but allowed) has a zero gradient
        dense = [torch.zeros_like(s) if g is None else g for s, g in zip(flat, grads, strict=True)]
        per_layer = torch.stack(dense).pow(2).sum(-1)  # (L·layers, N)
        squares = per_layer.view(len(states), len(states[0]), -1).sum(1).T  # (N, L)
        norms = squares.sqrt()  # (N, L)
    return norms.mean(0).flip(0).detach().cpu().double().numpy()  # k = 0 is the last step


def decay_slope(norms: np.ndarray, skip: int = 1) -> float:
    """The least-squares slope of log₁₀ ‖∂L/∂h_k‖ against k (decades per step back), over
    k ≥ ``skip`` (the last step's own output path left out) where the norm is positive;
    10**slope is the factor each step back multiplies the gradient by."""
    k = np.arange(len(norms))
    keep = (k >= skip) & np.isfinite(norms) & (norms > 0)
    if keep.sum() < 2:
        return float("nan")
    return float(np.polyfit(k[keep], np.log10(norms[keep]), 1)[0])


def gradient_study(
    kinds: list[str], length: int = 200, steps: int = 100, seed: int = 0, batch: int = 32
) -> list[dict]:
    """‖∂L/∂h_k‖ of each of ``kinds`` (the long-memory benchmark's models) on adding
    sequences of ``length``: at initialisation, then after ``steps`` training steps on the
    adding problem with gradients clipped at norm 1, and the same steps unclipped (same
    seed, same data). One row per model and condition: the norms, the fitted slope
    (decades per step back) and the validation MSE after training."""
    from seqlab.bench.memory import Budget, build_memory_model, memory_data, train_memory

    x, y = memory_data("adding", batch, length, seed=10_000 + seed)  # apart from training's

    def summed(output: Tensor, target: Tensor) -> Tensor:
        return nn.functional.mse_loss(output, target, reduction="sum")

    rows = []
    for kind in kinds:
        torch.manual_seed(seed)
        models = [("init", build_memory_model("adding", kind, length), None)]
        for clip, name in ((1.0, "trained (clip 1)"), (None, "trained (no clip)")):
            budget = Budget(train=steps * 32, val=256, test=1, epochs=1, grad_clip=clip)
            model, result, _ = train_memory("adding", kind, length, budget, seed)
            models.append((name, model, result.history[-1]["val_loss"]))
        for condition, model, val in models:
            norms = state_gradients(model, x, y, summed)
            rows.append(
                {
                    "model": kind,
                    "condition": condition,
                    "norms": norms,
                    "slope": decay_slope(norms),
                    "val_mse": val,
                }
            )
    return rows
