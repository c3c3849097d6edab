r"""The Recurrent layer: stacked, optionally bidirectional RNN / LSTM / GRU, on two backends.

``backend="fused"`` runs ``torch.nn.RNN/LSTM/GRU`` (oneDNN on CPU, cuDNN on GPU): the fast
default. ``backend="cells"`` runs the step functions of :mod:`seqlab.nn.cells` one time step
at a time, in Python: the reference and inspection path, the one that can hand back every
gate at every step. Both read the same parameters, which live in a torch module under torch's
names (``rnn.weight_ih_l0``, ``rnn.weight_hh_l0_reverse``, ...), so a ``state_dict`` moves
between the backends, and between seqlab and plain torch code, unchanged.

where:
    N      batch size
    L      sequence length
    D      directions (2 if bidirectional else 1)
    H_in   input features
    H_out  hidden size
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from seqlab.errors import ConfigError, ShapeError, check, one_of, positive_int, probability
from seqlab.nn.cells import Gates, cell_step

__all__ = ["Recurrent"]

State = Tensor | tuple[Tensor, Tensor]

# oneDNN's CPU kernels run a batch whose rows are a multiple of 16 up to 4x faster than a
# batch of a row more or less (bf16 LSTM, 2 threads, on this project's machine: 233 rows at
# 0.65 M steps/s, 224 at 3.0 M); Recurrent.outputs pads its batches up to one.
ROWS_MULTIPLE = 16

_TORCH_LAYERS: dict[str, Any] = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}

_RULES = {
    "kind": one_of("rnn", "lstm", "gru"),
    "input_size": positive_int(),
    "hidden_size": positive_int(),
    "num_layers": positive_int(),
    "dropout": probability(),
    "backend": one_of("fused", "cells"),
    "nonlinearity": one_of("tanh", "relu"),
}


class Recurrent(nn.Module):
    r"""A stack of ``num_layers`` recurrent layers of one ``kind``: rnn, lstm or gru.

    Each layer runs its cell (see :mod:`seqlab.nn.cells` for the equations) over the sequence;
    layer k > 0 reads the outputs of layer k-1, with dropout between layers when training. A
    bidirectional layer runs a second cell from the last step to the first and concatenates the
    two outputs.

    Args:
        kind: ``"rnn"``, ``"lstm"`` or ``"gru"``.
        input_size: H_in, features of each input step.
        hidden_size: H_out, size of each layer's state.
        num_layers: layers stacked.
        bidirectional: add a reverse-direction layer at each level.
        dropout: probability of dropout on the outputs of every layer but the last.
        batch_first: inputs and outputs are (N, L, ·) if True, (L, N, ·) if False.
        backend: ``"fused"`` (torch's kernels) or ``"cells"`` (the equations, step by step).
        bias: use the b_ih and b_hh biases.
        nonlinearity: ``"tanh"`` or ``"relu"``, for ``kind="rnn"`` only.

    ``forward(x, state=None, lengths=None)`` returns ``(output, state)`` with torch's shapes:
    output (N, L, D*H_out) and state (D*num_layers, N, H_out), a pair (h, c) for the LSTM.
    With ``lengths`` (N,), a batch padded at the end is run as sequences of those lengths:
    outputs past each length are zero and the state is each sequence's state at its own last
    step (for the reverse direction: after reading back to step 0 from that last step).

    Example:
        >>> layer = Recurrent("lstm", input_size=3, hidden_size=8, num_layers=2)
        >>> out, (h, c) = layer(torch.randn(4, 10, 3), lengths=torch.tensor([10, 7, 3, 1]))
        >>> out.shape, h.shape
        (torch.Size([4, 10, 8]), torch.Size([2, 4, 8]))
    """

    def __init__(
        self,
        kind: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        batch_first: bool = True,
        backend: str = "fused",
        bias: bool = True,
        nonlinearity: str = "tanh",
    ) -> None:
        super().__init__()
        values = {
            "kind": kind,
            "input_size": input_size,
            "hidden_size": hidden_size,
            "num_layers": num_layers,
            "dropout": dropout,
            "backend": backend,
            "nonlinearity": nonlinearity,
        }
        check("Recurrent", _RULES, values)
        self.kind = kind
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.batch_first = batch_first
        self.backend = backend
        self.bias = bias
        self.nonlinearity = nonlinearity
        extra = {"nonlinearity": nonlinearity} if kind == "rnn" else {}
        # torch only applies dropout between layers; passing it to one layer just warns.
        self.rnn = _TORCH_LAYERS[kind](
            input_size,
            hidden_size,
            num_layers,
            bias=bias,
            batch_first=batch_first,
            dropout=dropout if num_layers > 1 else 0.0,
            bidirectional=bidirectional,
            **extra,
        )

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def output_size(self) -> int:
        """Features of each output step: D * H_out."""
        return self.num_directions * self.hidden_size

    def forward(
        self,
        x: Tensor,
        state: State | None = None,
        lengths: Tensor | Sequence[int] | None = None,
        return_gates: bool = False,
    ) -> tuple[Tensor, State] | tuple[Tensor, State, list[Gates]]:
        """Run the stack over ``x``; see the class docstring for shapes.

        ``return_gates=True`` (``backend="cells"`` only) also returns one dict of gate
        activations per layer and direction, in the order of the state's first dimension,
        each gate (N, L, H_out).
        """
        self._check_input(x)
        lens = None if lengths is None else self._check_lengths(x, lengths)
        if state is not None:
            self._check_state(x, state)
        if return_gates and self.backend != "cells":
            raise ConfigError(
                "return_gates of Recurrent must be used with backend='cells'; got "
                f"backend={self.backend!r}. Build the layer with backend='cells' to see gates.",
                param="return_gates",
            )
        if self.backend == "cells":
            output, state, gates = self._forward_cells(x, state, lens)
            return (output, state, gates) if return_gates else (output, state)
        if lens is None:
            return self.rnn(x, state)
        if x.device.type == "cpu":
            return self._forward_segments(x, state, lens)
        total = x.shape[1] if self.batch_first else x.shape[0]
        packed = pack_padded_sequence(
            x, lens.cpu(), batch_first=self.batch_first, enforce_sorted=False
        )
        packed_out, state = self.rnn(packed, state)
        output, _ = pad_packed_sequence(packed_out, self.batch_first, total_length=total)
        return output, state

    def outputs(self, x: Tensor, lengths: Tensor | Sequence[int]) -> Tensor:
        """The outputs of ``forward(x, lengths=lengths)`` without the final state, in one fused
        call per layer and direction over the whole padded batch (``backend="fused"``).

        A step's output depends only on the steps before it in its direction: left to right,
        the padding comes after every real step; right to left, each row is reversed within
        its own length first, so its padding again comes last. Outputs past each length are
        zero, as forward's. What is lost is the final state of each row (the kernel's ends at
        the padding), which is why forward, whose callers may carry it on, does not take this
        path; a tagger or a classifier pooling the outputs (or reading the last layer's final
        h off them) loses nothing and saves forward's one call per distinct length.
        """
        self._check_input(x)
        lens = self._check_lengths(x, lengths).to(x.device)
        if self.backend != "fused":
            return self.forward(x, lengths=lens)[0]
        if not self.batch_first:
            x = x.transpose(0, 1)  # (N, L, H_in)
        n, length = x.shape[:2]
        extra = -n % ROWS_MULTIPLE if x.device.type == "cpu" else 0
        if extra:  # rows of one step, dropped at the end
            x = nn.functional.pad(x, (0, 0, 0, 0, 0, extra))
            lens = torch.cat([lens, lens.new_ones(extra)])
        steps = torch.arange(length, device=x.device)[None, :]
        real = steps < lens[:, None]  # (N, L)
        # Each row's real steps reversed, as indices into the (N * L) flattened steps.
        flip = torch.where(real, lens[:, None] - 1 - steps, steps)
        flip = (flip + length * torch.arange(len(lens), device=x.device)[:, None]).flatten()

        def reversed_rows(values: Tensor) -> Tensor:
            return values.flatten(0, 1).index_select(0, flip).view_as(values)

        def run(x: Tensor, h: Tensor, c: Tensor, suffix: str, reverse: bool) -> tuple:
            params = [getattr(self.rnn, name + suffix) for name in self._param_names()]
            out, h, c = self._fused(reversed_rows(x) if reverse else x, h, c, params)
            return (reversed_rows(out) if reverse else out), h, c, None

        zeros = x.new_zeros(self.num_directions * self.num_layers, n + extra, self.hidden_size)
        output = self._stack(x, zeros, zeros, run)[0].masked_fill_(~real.unsqueeze(-1), 0.0)[:n]
        return output if self.batch_first else output.transpose(0, 1)

    # -- lengths on CPU: fused kernels over the stretches where no sequence ends -------------

    def _forward_segments(self, x: Tensor, state: State | None, lengths: Tensor) -> tuple:
        """The packed-sequence result, computed without packing.

        torch's CPU kernel for packed sequences slices its input once per time step, and the
        backward pass of each slice writes a gradient as large as the whole batch: training
        time grows with the square of the length (benchmarks/recurrent_lengths.py).
        Here the batch is sorted longest first, so the sequences still running at step t are
        always the first rows; the fused kernel runs over each stretch between two distinct
        lengths, on those rows only. A batch with k distinct lengths costs k fused calls per
        layer and direction; results and gradients are those of the packed path.
        """
        if not self.batch_first:
            x = x.transpose(0, 1)  # (N, L, H_in)
        order = lengths.argsort(descending=True, stable=True).to(x.device)
        back = order.argsort()
        lens = lengths[order.cpu()].tolist()  # longest first
        h0, c0 = self._initial(x, state)
        # Time cut at every distinct length; a stretch's rows are those running through it.
        cuts = [0, *sorted(set(lens))]
        stretches = [(a, b, sum(length > a for length in lens)) for a, b in pairwise(cuts)]

        def run(x: Tensor, h: Tensor, c: Tensor, suffix: str, reverse: bool) -> tuple:
            params = [getattr(self.rnn, name + suffix) for name in self._param_names()]
            direction = self._backward_run if reverse else self._forward_run
            return *direction(x, h, c, params, stretches, lens), None

        output, h_last, c_last, _ = self._stack(x[order], h0[:, order], c0[:, order], run)
        output, h_last, c_last = output[back], h_last[:, back], c_last[:, back]
        if not self.batch_first:
            output = output.transpose(0, 1)
        return output, ((h_last, c_last) if self.kind == "lstm" else h_last)

    def _initial(self, x: Tensor, state: State | None) -> tuple[Tensor, Tensor]:
        """(h0, c0), each (D*num_layers, N, H_out): the given state, zeros where none."""
        zeros = x.new_zeros(self.num_directions * self.num_layers, x.shape[0], self.hidden_size)
        if isinstance(state, tuple):
            return state
        return (zeros if state is None else state), zeros

    def _stack(self, x: Tensor, h0: Tensor, c0: Tensor, run: Any) -> tuple:
        """Every layer and direction, with dropout between layers: ``run(input, h0, c0,
        suffix, reverse)`` → (outputs, h, c, extra) for one. Returns the last layer's outputs
        (N, L, D*H_out), the final h and c (D*num_layers, N, H_out) and the extras."""
        h_n, c_n, extras = [], [], []
        layer_input = x
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(self.num_directions):
                k = layer * self.num_directions + direction
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                out, h, c, extra = run(layer_input, h0[k], c0[k], suffix, direction == 1)
                outputs.append(out)
                h_n.append(h)
                c_n.append(c)
                extras.append(extra)
            layer_input = torch.cat(outputs, dim=-1)  # (N, L, D*H_out)
            if layer < self.num_layers - 1 and self.dropout > 0:
                layer_input = nn.functional.dropout(layer_input, self.dropout, self.training)
        return layer_input, torch.stack(h_n), torch.stack(c_n), extras

    def _param_names(self) -> list[str]:
        return ["weight_ih", "weight_hh", *(["bias_ih", "bias_hh"] if self.bias else [])]

    def _fused(self, x: Tensor, h: Tensor, c: Tensor, params: list) -> tuple[Tensor, ...]:
        """One layer, one direction of torch's kernel over x (m, T, H_in) from (h, c) (m, H)."""
        h, c = h.unsqueeze(0).contiguous(), c.unsqueeze(0).contiguous()
        flags = (self.bias, 1, 0.0, self.training, False, True)
        if self.kind == "lstm":
            out, h, c = torch.lstm(x, (h, c), params, *flags)
        else:
            kernel = torch.gru if self.kind == "gru" else getattr(torch, "rnn_" + self.nonlinearity)
            out, h = kernel(x, h, params, *flags)
        return out, h[0], c[0]

    def _forward_run(self, x, h0, c0, params, stretches, lens) -> tuple[Tensor, Tensor, Tensor]:
        """Left to right: each stretch drops the rows that ended before it; a row's state
        is kept when its last stretch ends."""
        n = x.shape[0]
        h, c = h0, c0
        outputs, h_done, c_done = [], [], []
        for a, b, m in stretches:
            out, h, c = self._fused(x[:m, a:b], h[:m], c[:m], params)
            outputs.append(nn.functional.pad(out, (0, 0, 0, 0, 0, n - m)))
            ending = sum(length > b for length in lens)  # rows [ending, m) end at step b - 1
            h_done.append(h[ending:m])
            c_done.append(c[ending:m])
        return torch.cat(outputs, 1), torch.cat(h_done[::-1]), torch.cat(c_done[::-1])

    def _backward_run(self, x, h0, c0, params, stretches, lens) -> tuple[Tensor, Tensor, Tensor]:
        """Right to left: rows join, from their initial state, at the stretch holding their
        last step; after the first stretch every row has read back to step 0."""
        n = x.shape[0]
        h, c = h0[:0], c0[:0]
        outputs = []
        for a, b, m in reversed(stretches):
            joined = h.shape[0]
            h, c = torch.cat([h, h0[joined:m]]), torch.cat([c, c0[joined:m]])
            out, h, c = self._fused(x[:m, a:b].flip(1), h, c, params)
            outputs.append(nn.functional.pad(out.flip(1), (0, 0, 0, 0, 0, n - m)))
        return torch.cat(outputs[::-1], 1), h, c

    # -- the reference path: the cells' equations, one step at a time -------------------------

    def _forward_cells(
        self, x: Tensor, state: State | None, lengths: Tensor | None
    ) -> tuple[Tensor, State, list[Gates]]:
        if not self.batch_first:
            x = x.transpose(0, 1)  # (N, L, H_in)
        h0, c0 = self._initial(x, state)
        # mask[:, t] is True while step t lies inside the sequence.
        mask = None
        if lengths is not None:
            steps = torch.arange(x.shape[1], device=x.device)
            mask = steps.unsqueeze(0) < lengths.to(x.device).unsqueeze(1)  # (N, L)

        def run(x: Tensor, h: Tensor, c: Tensor, suffix: str, reverse: bool) -> tuple:
            return self._scan(x, h, c, suffix, mask, reverse)

        output, h_last, c_last, all_gates = self._stack(x, h0, c0, run)
        if not self.batch_first:
            output = output.transpose(0, 1)
        new_state: State = (h_last, c_last) if self.kind == "lstm" else h_last
        return output, new_state, all_gates

    def _scan(
        self, x: Tensor, h: Tensor, c: Tensor, suffix: str, mask: Tensor | None, reverse: bool
    ) -> tuple[Tensor, Tensor, Tensor, Gates]:
        """Run one layer in one direction over x (N, L, H_in); return outputs (N, L, H_out)."""
        w_ih = getattr(self.rnn, "weight_ih" + suffix)
        w_hh = getattr(self.rnn, "weight_hh" + suffix)
        b_ih = getattr(self.rnn, "bias_ih" + suffix) if self.bias else None
        b_hh = getattr(self.rnn, "bias_hh" + suffix) if self.bias else None
        length = x.shape[1]
        outputs: list[Tensor] = [x] * length  # placeholders, every slot is overwritten
        step_gates: list[Gates] = [{}] * length
        order = range(length - 1, -1, -1) if reverse else range(length)
        for t in order:
            x_t = x[:, t]  # (N, H_in)
            h_t, c_t, gates = cell_step(
                self.kind, x_t, h, c, w_ih, w_hh, b_ih, b_hh, self.nonlinearity
            )
            if mask is None:
                h, c, out = h_t, c_t, h_t
            else:
                # Past a sequence's end the state is held and the output is zero, so the
                # reverse direction starts each sequence at its own last step.
                m = mask[:, t].unsqueeze(1)  # (N, 1)
                h, c, out = torch.where(m, h_t, h), torch.where(m, c_t, c), h_t * m
            outputs[t] = out
            step_gates[t] = gates
        stacked = {name: torch.stack([g[name] for g in step_gates], 1) for name in step_gates[0]}
        return torch.stack(outputs, dim=1), h, c, stacked

    # -- input checks: one sentence each ------------------------------------------------------

    def _check_input(self, x: Tensor) -> None:
        layout = "(N, L, H_in)" if self.batch_first else "(L, N, H_in)"
        if x.dim() != 3:
            raise ShapeError(
                f"input of Recurrent must be a 3-D tensor {layout}; got shape "
                f"{tuple(x.shape)}. Add a batch dimension with x.unsqueeze(0) for one sequence.",
                param="input",
            )
        if x.shape[-1] != self.input_size:
            raise ShapeError(
                f"input of Recurrent must have input_size={self.input_size} features in its "
                f"last dimension; got shape {tuple(x.shape)}. Build the layer with "
                f"input_size={x.shape[-1]} or select the right columns.",
                param="input",
            )

    def _check_lengths(self, x: Tensor, lengths: Tensor | Sequence[int]) -> Tensor:
        lens = torch.as_tensor(lengths, dtype=torch.long).reshape(-1)
        n, length = (x.shape[0], x.shape[1]) if self.batch_first else (x.shape[1], x.shape[0])
        if lens.numel() != n or lens.min() < 1 or lens.max() > length:
            raise ShapeError(
                f"lengths of Recurrent must hold one length in [1, {length}] per sequence "
                f"({n}); got {lens.tolist()}. Pass the true length of each padded sequence.",
                param="lengths",
            )
        return lens

    def _check_state(self, x: Tensor, state: State) -> None:
        n = x.shape[0] if self.batch_first else x.shape[1]
        expected = (self.num_directions * self.num_layers, n, self.hidden_size)
        parts = state if isinstance(state, tuple) else (state,)
        if self.kind == "lstm" and len(parts) != 2:
            raise ShapeError(
                "state of Recurrent must be a pair (h, c) for kind='lstm'; got one tensor. "
                "Pass the state an LSTM returned.",
                param="state",
            )
        for part in parts:
            if tuple(part.shape) != expected:
                raise ShapeError(
                    f"state of Recurrent must have shape {expected} (D*num_layers, N, H_out); "
                    f"got {tuple(part.shape)}. Pass the state this layer returned.",
                    param="state",
                )

    def extra_repr(self) -> str:
        return (
            f"kind={self.kind!r}, {self.input_size}, {self.hidden_size}, "
            f"num_layers={self.num_layers}, bidirectional={self.bidirectional}, "
            f"backend={self.backend!r}"
        )
