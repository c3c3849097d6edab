"""The building blocks: recurrent cells from their equations, the Recurrent layer,
attention, positional encoding, Transformer blocks, RevIN and a linear-chain CRF."""

from seqlab.nn.attention import (
    Attention,
    KVCache,
    MultiHeadAttention,
    causal_mask,
    scaled_dot_product_attention,
)
from seqlab.nn.cells import GRUCell, LSTMCell, RNNCell, cell_step, gru_step, lstm_step, rnn_step
from seqlab.nn.crf import LinearChainCRF
from seqlab.nn.recurrent import Recurrent
from seqlab.nn.revin import RevIN
from seqlab.nn.transformer import (
    PositionalEncoding,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
    sinusoidal_positional_encoding,
)

__all__ = [
    "Attention",
    "GRUCell",
    "KVCache",
    "LSTMCell",
    "LinearChainCRF",
    "MultiHeadAttention",
    "PositionalEncoding",
    "RNNCell",
    "Recurrent",
    "RevIN",
    "TransformerDecoder",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerEncoderLayer",
    "causal_mask",
    "cell_step",
    "gru_step",
    "lstm_step",
    "rnn_step",
    "scaled_dot_product_attention",
    "sinusoidal_positional_encoding",
]
