"""Tensor files: precisions and the int8 and 4-bit round trips."""

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


def test_four_bit_rows_pack_two_to_a_byte_and_come_back_within_half_a_step(tmp_path):
    torch.manual_seed(0)
    table = torch.randn(50, 16) * torch.logspace(-3, 1, 50)[:, None]
    table[0] = 0  # a padding row stays exactly zero
    tensors = {"table": table, "odd": torch.randn(6, 5), "other": torch.randn(6, 4)}
    write_tensors(tmp_path / "q.safetensors", tensors, "int8", four_bit=("table", "odd"))
    from safetensors.torch import load_file

    raw = load_file(tmp_path / "q.safetensors")
    assert raw["table"].dtype == torch.uint8 and raw["table"].shape == (50, 8)
    assert raw["odd"].dtype == raw["other"].dtype == torch.int8  # odd columns, or not named
    back = read_tensors(tmp_path / "q.safetensors")
    assert set(back) == set(tensors) and back["table"].shape == (50, 16)
    step = table.abs().amax(1) / 7
    assert ((back["table"] - table).abs().amax(1) <= 0.51 * step + 1e-3 * step).all()
    assert back["table"][0].eq(0).all()
    # each row's largest value comes back (to the float16 scale), and its sign
    top = table.abs().argmax(1)
    torch.testing.assert_close(
        back["table"][range(50), top], table[range(50), top], rtol=1e-3, atol=0
    )


def test_float16_halves_and_unknown_precisions_are_refused(tmp_path):
    tensors = {"w": torch.randn(10, 10)}
    write_tensors(tmp_path / "h.safetensors", tensors, precision="float16")
    torch.testing.assert_close(read_tensors(tmp_path / "h.safetensors")["w"], tensors["w"].half())
    with pytest.raises(ConfigError, match="precision"):
        write_tensors(tmp_path / "x.safetensors", tensors, precision="int4")
