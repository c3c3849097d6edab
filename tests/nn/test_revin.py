import pytest
import torch

from seqlab.errors import ShapeError
from seqlab.nn import RevIN


def test_normalised_windows_have_zero_mean_unit_std():
    x = torch.randn(4, 50, 3, dtype=torch.float64) * torch.tensor([1.0, 10.0, 0.1]) + 5
    x_hat, (mu, sigma) = RevIN(3, eps=1e-12).double()(x)
    torch.testing.assert_close(x_hat.mean(1), torch.zeros(4, 3, dtype=torch.float64))
    ones = torch.ones(4, 3, dtype=torch.float64)
    torch.testing.assert_close(x_hat.std(1, unbiased=False), ones, atol=1e-6, rtol=1e-6)
    assert mu.shape == sigma.shape == (4, 1, 3)


@pytest.mark.parametrize("affine", [True, False])
def test_inverse_undoes_forward(affine):
    torch.manual_seed(0)
    revin = RevIN(3, affine=affine).double()
    if affine:
        with torch.no_grad():
            revin.weight.uniform_(0.5, 2.0)
            revin.bias.normal_()
    x = torch.randn(2, 20, 3, dtype=torch.float64) * 4 - 7
    x_hat, stats = revin(x)
    torch.testing.assert_close(revin.inverse(x_hat, stats), x)


def test_wrong_channels_is_one_sentence():
    with pytest.raises(ShapeError) as err:
        RevIN(3)(torch.randn(2, 10, 4))
    assert str(err.value) == (
        "input of RevIN must be a 3-D tensor (N, L, 3); got shape (2, 10, 4). "
        "Put channels in the last dimension."
    )
