r"""Backpropagation through time by hand: the Elman RNN's backward pass in NumPy, from the
tutorials' equations, and the per-step factor that makes its gradients vanish or explode.

The network (one sequence of L steps; U, W, V as the tutorials name them):

    h_t = tanh(U x_t + W h_{t-1} + b),    h_0 = 0
    y_t = V h_t + c
    L   = Σ_t ½ ‖y_t - d_t‖²

The backward pass runs from the last step to the first, with δy_t = y_t - d_t and the error
δ_t of the pre-activation at step t:

    δ_t = (Vᵀ δy_t + Wᵀ δ_{t+1}) ⊙ (1 - h_t²),    δ_{L+1} = 0
    ∂L/∂V = Σ_t δy_t h_tᵀ      ∂L/∂c = Σ_t δy_t
    ∂L/∂U = Σ_t δ_t x_tᵀ       ∂L/∂W = Σ_t δ_t h_{t-1}ᵀ      ∂L/∂b = Σ_t δ_t

Each step back multiplies the error by the Jacobian ∂h_t/∂h_{t-1} = diag(1 - h_t²) W, so
the gradient reaching k steps back is a product of k such matrices: its norm is at most the
product of their norms (:func:`step_factors`), which shrinks geometrically when they are
below 1 (vanishing) and may grow when they are above (exploding) [1, 2].

.. [1] Bengio, Simard & Frasconi (1994). Learning long-term dependencies with gradient
       descent is difficult. IEEE Transactions on Neural Networks 5(2).
.. [2] Pascanu, Mikolov & Bengio (2013). On the difficulty of training recurrent neural
       networks. ICML. arXiv:1211.5063.

where:
    L  steps    I  input size    H  hidden size    O  output size
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from seqlab.errors import check, positive_int

__all__ = ["Elman", "autograd_gradients", "backward", "forward", "step_factors"]


@dataclass
class Elman:
    """The weights: U (H, I), W (H, H), b (H,), V (O, H), c (O,), float64."""

    U: np.ndarray
    W: np.ndarray
    b: np.ndarray
    V: np.ndarray
    c: np.ndarray

    @classmethod
    def random(
        cls, input_size: int, hidden_size: int, output_size: int, scale: float = 1.0, seed: int = 0
    ) -> Elman:
        """Weights drawn as torch draws an RNN's, U(-1/√H, 1/√H); W rescaled so that its
        largest singular value is ``scale``."""
        sizes = {"input_size": input_size, "hidden_size": hidden_size, "output_size": output_size}
        check("Elman.random", dict.fromkeys(sizes, positive_int()), sizes)
        rng = np.random.default_rng(seed)
        bound = 1 / np.sqrt(hidden_size)

        def draw(*shape: int) -> np.ndarray:
            return rng.uniform(-bound, bound, shape)

        w = draw(hidden_size, hidden_size)
        w *= scale / np.linalg.norm(w, 2)
        return cls(
            draw(hidden_size, input_size),
            w,
            draw(hidden_size),
            draw(output_size, hidden_size),
            draw(output_size),
        )


def forward(net: Elman, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """States h (L + 1, H), h[0] = 0, and outputs y (L, O) of inputs x (L, I)."""
    h = np.zeros((len(x) + 1, net.W.shape[0]))
    for t in range(len(x)):
        h[t + 1] = np.tanh(net.U @ x[t] + net.W @ h[t] + net.b)
    return h, h[1:] @ net.V.T + net.c


def backward(net: Elman, x: np.ndarray, d: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
    """The loss and its gradient for every weight, by BPTT (the module's equations)."""
    h, y = forward(net, x)
    dy = y - d  # δy_t, (L, O)
    loss = 0.5 * float((dy**2).sum())
    grads = {name: np.zeros_like(getattr(net, name)) for name in ("U", "W", "b", "V", "c")}
    delta_next = np.zeros(net.W.shape[0])  # δ_{L+1} = 0
    for t in range(len(x) - 1, -1, -1):  # step t of the code is step t + 1 of the equations
        delta = (net.V.T @ dy[t] + net.W.T @ delta_next) * (1 - h[t + 1] ** 2)
        grads["V"] += np.outer(dy[t], h[t + 1])
        grads["c"] += dy[t]
        grads["U"] += np.outer(delta, x[t])
        grads["W"] += np.outer(delta, h[t])  # h[t] is h_{t-1} of the equations
        grads["b"] += delta
        delta_next = delta
    return loss, grads


def autograd_gradients(
    net: Elman, x: np.ndarray, d: np.ndarray
) -> tuple[float, dict[str, np.ndarray]]:
    """The same loss and gradients from PyTorch's autograd through its fused ``nn.RNN``
    (tanh, float64) and an ``nn.Linear`` head, with U, W, b, V, c copied in."""
    hidden, inputs = net.W.shape[0], net.U.shape[1]
    rnn = torch.nn.RNN(inputs, hidden, batch_first=True).double()
    head = torch.nn.Linear(hidden, net.V.shape[0]).double()
    p = dict(rnn.named_parameters())
    with torch.no_grad():
        p["weight_ih_l0"].copy_(torch.from_numpy(net.U))
        p["weight_hh_l0"].copy_(torch.from_numpy(net.W))
        p["bias_ih_l0"].copy_(torch.from_numpy(net.b))
        p["bias_hh_l0"].zero_()  # torch's two biases add up to the one b
        head.weight.copy_(torch.from_numpy(net.V))
        head.bias.copy_(torch.from_numpy(net.c))
    out, _ = rnn(torch.from_numpy(x)[None])  # (1, L, H)
    y = head(out[0])
    loss = 0.5 * ((y - torch.from_numpy(d)) ** 2).sum()
    params = [p["weight_ih_l0"], p["weight_hh_l0"], p["bias_ih_l0"], head.weight, head.bias]
    grads = torch.autograd.grad(loss, params)
    names = ("U", "W", "b", "V", "c")
    return float(loss.detach()), {n: g.numpy() for n, g in zip(names, grads, strict=True)}


def step_factors(net: Elman, x: np.ndarray) -> dict[str, np.ndarray]:
    """Per step t = 1..L: ``factor`` ‖∂h_t/∂h_{t-1}‖ = ‖diag(1 - h_t²) W‖₂, the running
    ``product`` of the factors up to t, and ``exact`` ‖∂h_t/∂h_0‖₂, the norm of the product
    of the Jacobians (never above the product of their norms)."""
    h, _ = forward(net, x)
    factors, exact = [], []
    chain = np.eye(net.W.shape[0])
    for t in range(1, len(h)):
        jacobian = (1 - h[t] ** 2)[:, None] * net.W  # diag(1 - h_t²) W
        chain = jacobian @ chain  # ∂h_t/∂h_0
        factors.append(np.linalg.norm(jacobian, 2))
        exact.append(np.linalg.norm(chain, 2))
    f = np.array(factors)
    return {"factor": f, "product": np.cumprod(f), "exact": np.array(exact)}
