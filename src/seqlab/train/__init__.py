"""The one trainer every task uses: minibatches, early stopping, checkpoints and resume,
bf16, and data parallelism under torchrun."""

from seqlab.train.trainer import (
    Batches,
    Hooks,
    TrainConfig,
    Trainer,
    TrainResult,
    resolve_device,
)

__all__ = ["Batches", "Hooks", "TrainConfig", "TrainResult", "Trainer", "resolve_device"]
