r"""Recurrent cells written from their equations.

Each cell computes one time step. The equations live twice: in the docstring, in the
notation of ``torch/nn/modules/rnn.py``, and in the step function below it, whose locals
carry the same names, so that each line of code reads as one equation. Parameter names,
shapes and gate order are torch's (``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``;
gates stacked i|f|g|o for the LSTM and r|z|n for the GRU), so a ``state_dict`` moves
between these cells and ``torch.nn.RNNCell/LSTMCell/GRUCell`` unchanged, and
``tests/nn/test_cells.py`` checks both give the same numbers.

The step functions (:func:`rnn_step`, :func:`lstm_step`, :func:`gru_step`) take the weights
as arguments; the cell modules own the weights and call them, and so does the ``cells``
backend of :class:`seqlab.nn.Recurrent`, with the weights of each layer and direction.

where:
    N     batch size
    H_in  input features
    H     hidden size
    G     number of stacked gates (1 for RNN, 4 for LSTM, 3 for GRU)
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from seqlab.errors import ShapeError, check, one_of, positive_int

__all__ = ["GRUCell", "LSTMCell", "RNNCell", "cell_step", "gru_step", "lstm_step", "rnn_step"]

Gates = dict[str, Tensor]


def _affine(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih, b_hh) -> tuple[Tensor, Tensor]:
    """W_ih x + b_ih and W_hh h + b_hh, each (N, G*H); kept apart because the GRU needs them so."""
    return nn.functional.linear(x, w_ih, b_ih), nn.functional.linear(h, w_hh, b_hh)


def rnn_step(
    x: Tensor,
    h: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    nonlinearity: str = "tanh",
) -> Tensor:
    """h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu; x (N, H_in), h (N, H)."""
    xi, hh = _affine(x, h, w_ih, w_hh, b_ih, b_hh)
    act = torch.tanh if nonlinearity == "tanh" else torch.relu
    return act(xi + hh)


def lstm_step(
    x: Tensor,
    h: Tensor,
    c: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> tuple[Tensor, Tensor, Gates]:
    """One LSTM step; returns h', c' and the gates (see :class:`LSTMCell` for the equations)."""
    xi, hh = _affine(x, h, w_ih, w_hh, b_ih, b_hh)
    i, f, g, o = (xi + hh).chunk(4, dim=-1)  # each (N, H), torch's gate order i|f|g|o
    i = torch.sigmoid(i)  # input gate: how much of the candidate to write
    f = torch.sigmoid(f)  # forget gate: how much of the old cell to keep
    g = torch.tanh(g)  # candidate cell content
    o = torch.sigmoid(o)  # output gate: how much of the cell to expose
    c = f * c + i * g
    h = o * torch.tanh(c)
    return h, c, {"i": i, "f": f, "g": g, "o": o}


def gru_step(
    x: Tensor,
    h: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> tuple[Tensor, Gates]:
    """One GRU step; returns h' and the gates (see :class:`GRUCell` for the equations)."""
    xi, hh = _affine(x, h, w_ih, w_hh, b_ih, b_hh)
    x_r, x_z, x_n = xi.chunk(3, dim=-1)  # each (N, H), gate order r|z|n
    h_r, h_z, h_n = hh.chunk(3, dim=-1)
    r = torch.sigmoid(x_r + h_r)  # reset gate
    z = torch.sigmoid(x_z + h_z)  # update gate
    n = torch.tanh(x_n + r * h_n)  # candidate; r scales W_hn h + b_hn, the bias included
    h = (1 - z) * n + z * h
    return h, {"r": r, "z": z, "n": n}


def cell_step(
    kind: str,
    x: Tensor,
    h: Tensor,
    c: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    nonlinearity: str = "tanh",
) -> tuple[Tensor, Tensor, Gates]:
    """One step of the cell ``kind`` ("rnn", "lstm" or "gru"): h', c' and the gates, the one
    dispatch every unrolled layer uses. Only the LSTM has a cell state: the others return
    ``c`` as given, and the RNN its new h as its one "gate"."""
    if kind == "lstm":
        return lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh)
    if kind == "gru":
        h, gates = gru_step(x, h, w_ih, w_hh, b_ih, b_hh)
        return h, c, gates
    h = rnn_step(x, h, w_ih, w_hh, b_ih, b_hh, nonlinearity)
    return h, c, {"h": h}


class _Cell(nn.Module):
    """Weights shared by every cell: (G*H, H_in) input and (G*H, H) hidden matrices."""

    gates: int = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True) -> None:
        super().__init__()
        thing = type(self).__name__
        rules = {"input_size": positive_int(), "hidden_size": positive_int()}
        check(thing, rules, {"input_size": input_size, "hidden_size": hidden_size})
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        rows = self.gates * hidden_size
        self.weight_ih = nn.Parameter(torch.empty(rows, input_size))
        self.weight_hh = nn.Parameter(torch.empty(rows, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(rows)) if bias else None
        self.bias_hh = nn.Parameter(torch.empty(rows)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # torch's initialisation: every weight and bias from U(-1/√H, 1/√H).
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            nn.init.uniform_(weight, -bound, bound)

    def _batched(self, input: Tensor) -> tuple[Tensor, bool]:
        """Accept (N, H_in) or unbatched (H_in), as torch's cells do; return (N, H_in)."""
        thing = type(self).__name__
        if input.dim() not in (1, 2):
            raise ShapeError(
                f"input of {thing} must be a 1-D (H_in) or 2-D (N, H_in) tensor; "
                f"got shape {tuple(input.shape)}. Feed one time step at a time.",
                param="input",
            )
        if input.shape[-1] != self.input_size:
            raise ShapeError(
                f"input of {thing} must have {self.input_size} features in its last dimension; "
                f"got shape {tuple(input.shape)}. Match input_size to the data.",
                param="input",
            )
        return (input, False) if input.dim() == 2 else (input.unsqueeze(0), True)

    def _zeros(self, x: Tensor) -> Tensor:
        return x.new_zeros(x.shape[0], self.hidden_size)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, bias={self.bias}"


class RNNCell(_Cell):
    r"""An Elman RNN cell.

    .. math::
        h' = \tanh(W_{ih} x + b_{ih} + W_{hh} h + b_{hh})

    with ReLU in place of tanh when ``nonlinearity="relu"``. Shapes: ``input`` (N, H_in) or
    (H_in), ``hx`` (N, H) or (H); returns h' of the same batch shape.

    Example:
        >>> cell = RNNCell(3, 5)
        >>> cell(torch.randn(2, 3)).shape
        torch.Size([2, 5])
    """

    gates = 1

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh"
    ) -> None:
        check("RNNCell", {"nonlinearity": one_of("tanh", "relu")}, {"nonlinearity": nonlinearity})
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias)

    def forward(
        self, input: Tensor, hx: Tensor | None = None, return_gates: bool = False
    ) -> Tensor | tuple[Tensor, Gates]:
        x, unbatched = self._batched(input)
        h = self._zeros(x) if hx is None else (hx.unsqueeze(0) if unbatched else hx)
        h = rnn_step(
            x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, self.nonlinearity
        )
        if unbatched:
            h = h.squeeze(0)
        # An RNN has no gates; its one activation is the new state itself.
        return (h, {"h": h}) if return_gates else h


class LSTMCell(_Cell):
    r"""A long short-term memory cell (Hochreiter & Schmidhuber, 1997).

    .. math::
        i  &= \sigma(W_{ii} x + b_{ii} + W_{hi} h + b_{hi}) \\
        f  &= \sigma(W_{if} x + b_{if} + W_{hf} h + b_{hf}) \\
        g  &= \tanh(W_{ig} x + b_{ig} + W_{hg} h + b_{hg}) \\
        o  &= \sigma(W_{io} x + b_{io} + W_{ho} h + b_{ho}) \\
        c' &= f \odot c + i \odot g \\
        h' &= o \odot \tanh(c')

    σ is the sigmoid and ⊙ the element-wise product. ``weight_ih`` is (4H, H_in), the rows of
    W_ii | W_if | W_ig | W_io stacked. ``forward(input, hx=(h, c))`` returns ``(h', c')``;
    with ``return_gates=True`` it returns ``((h', c'), {"i", "f", "g", "o"})``.

    Example:
        >>> cell = LSTMCell(3, 5)
        >>> h, c = cell(torch.randn(2, 3))
        >>> (h.shape, c.shape)
        (torch.Size([2, 5]), torch.Size([2, 5]))
    """

    gates = 4

    def forward(
        self,
        input: Tensor,
        hx: tuple[Tensor, Tensor] | None = None,
        return_gates: bool = False,
    ) -> tuple[Tensor, Tensor] | tuple[tuple[Tensor, Tensor], Gates]:
        x, unbatched = self._batched(input)
        if hx is None:
            h, c = self._zeros(x), self._zeros(x)
        else:
            h, c = (hx[0].unsqueeze(0), hx[1].unsqueeze(0)) if unbatched else hx
        h, c, gates = lstm_step(x, h, c, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        if unbatched:
            h, c = h.squeeze(0), c.squeeze(0)
            gates = {k: v.squeeze(0) for k, v in gates.items()}
        return ((h, c), gates) if return_gates else (h, c)


class GRUCell(_Cell):
    r"""A gated recurrent unit cell (Cho et al., 2014).

    .. math::
        r  &= \sigma(W_{ir} x + b_{ir} + W_{hr} h + b_{hr}) \\
        z  &= \sigma(W_{iz} x + b_{iz} + W_{hz} h + b_{hz}) \\
        n  &= \tanh(W_{in} x + b_{in} + r \odot (W_{hn} h + b_{hn})) \\
        h' &= (1 - z) \odot n + z \odot h

    ``weight_ih`` is (3H, H_in), the rows of W_ir | W_iz | W_in stacked. Note that r multiplies
    W_hn h + b_hn, the hidden bias included (torch's and cuDNN's form). Returns h'; with
    ``return_gates=True``, ``(h', {"r", "z", "n"})``.

    Example:
        >>> cell = GRUCell(3, 5)
        >>> cell(torch.randn(2, 3)).shape
        torch.Size([2, 5])
    """

    gates = 3

    def forward(
        self, input: Tensor, hx: Tensor | None = None, return_gates: bool = False
    ) -> Tensor | tuple[Tensor, Gates]:
        x, unbatched = self._batched(input)
        h = self._zeros(x) if hx is None else (hx.unsqueeze(0) if unbatched else hx)
        h, gates = gru_step(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        if unbatched:
            h = h.squeeze(0)
            gates = {k: v.squeeze(0) for k, v in gates.items()}
        return (h, gates) if return_gates else h
