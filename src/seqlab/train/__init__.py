"""The generic trainer: it knows models, tensors and losses, and nothing of any task."""

from seqlab.train.trainer import Batches, TrainConfig, Trainer, TrainResult, resolve_device

__all__ = ["Batches", "TrainConfig", "TrainResult", "Trainer", "resolve_device"]
