"""Tensor files: precisions and the int8 round trip."""

import pytest
import torch

from seqlab.errors import ConfigError
from seqlab.io import read_tensors, write_tensors


def test_int8_rows_come_back_within_about_half_a_step(tmp_path):
    torch.manual_seed(0)
    matrix = torch.randn(64, 48) * torch.logspace(-3, 1, 64)[:, None]  # rows of any scale
    matrix[3] = 0
    tensors = {
        "matrix": matrix,
        "kernel": torch.randn(8, 3, 5),
        "bias": torch.randn(48),
        "ids": torch.arange(5),
    }
    write_tensors(tmp_path / "f32.safetensors", tensors)
    write_tensors(tmp_path / "q.safetensors", tensors, precision="int8")
    back = read_tensors(tmp_path / "q.safetensors")
    assert set(back) == set(tensors)  # the scales are folded back in
    for name in ("matrix", "kernel"):
        value = tensors[name]
        step = value.reshape(len(value), -1).abs().amax(1) / 127
        error = (back[name] - value).reshape(len(value), -1).abs().amax(1)
        assert back[name].dtype == torch.float32 and back[name].shape == value.shape
        assert (error <= 0.6 * step).all()  # half a step, plus the float16 scale's rounding
    assert back["matrix"][3].eq(0).all()
    assert back["bias"].dtype == torch.float16 and torch.equal(back["ids"], tensors["ids"])
    sizes = [(tmp_path / f).stat().st_size for f in ("q.safetensors", "f32.safetensors")]
    assert sizes[0] < 0.32 * sizes[1]


def test_float16_halves_and_unknown_precisions_are_refused(tmp_path):
    tensors = {"w": torch.randn(10, 10)}
    write_tensors(tmp_path / "h.safetensors", tensors, precision="float16")
    torch.testing.assert_close(read_tensors(tmp_path / "h.safetensors")["w"], tensors["w"].half())
    with pytest.raises(ConfigError, match="precision"):
        write_tensors(tmp_path / "x.safetensors", tensors, precision="int4")
