"""Forecasting: the :class:`Forecaster` (one series, or one global model over many), its
evaluation and intervals, a whole run of the zoo (``seqlab forecast``), tuning and export.

forecaster.py   the estimator: split, scale, window, train, forecast, score
checks.py       its parameter table, column resolution, losses, seasons
panel.py        its many-series half: per-series scalers, windows, bands (composition)
state.py        the learned state on disk (state.json, panel.json, the weights)
evaluation.py   test-part scores, rolling backtests
intervals.py    split-conformal bounds, M4's scores of many series
experiment.py   a whole run on one series (experiment_panel.py: on many), plain results
run_files.py    what a run writes into its folder
tune.py         Optuna over the training and validation rows
export.py       ONNX
"""

from seqlab.tasks.forecasting.evaluation import Backtest, Evaluation
from seqlab.tasks.forecasting.forecaster import Forecaster
from seqlab.tasks.forecasting.intervals import PanelEvaluation

__all__ = ["Backtest", "Evaluation", "Forecaster", "PanelEvaluation"]
