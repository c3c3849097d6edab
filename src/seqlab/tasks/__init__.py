"""Tasks: each holds a model from the zoo and adds the data pipeline, head, loss and metrics."""

from seqlab.tasks.forecast import Backtest, Evaluation, Forecaster

__all__ = ["Backtest", "Evaluation", "Forecaster"]
