"""Search a forecaster's settings with Optuna, never looking at the test rows.

Each model declares its search space (:data:`SPACES`: the learning rate and batch size for
all, the width, depth, dropout and the model's own settings where it has them). A trial
samples one point with TPE, trains on the training rows, reports the validation loss after
every epoch, and is stopped early by the median rule when it trails the trials before it.
Only the rows before the test part are read: the split is computed from the row count (as
``seqlab forecast`` computes it), the data is cut at the end of the validation rows, and
the test rows' values are never touched (a test fills them with NaN and gets the same
study). The study lives in a journal file (``journal.log``) or an SQLite file
(``study.db``), so several processes, or machines sharing a disk, can work on one study at
once; the best trial is written as a ``config.json`` that ``seqlab forecast --config``
reruns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from seqlab.config import RunConfig
from seqlab.data.table import check_series
from seqlab.data.windows import Split, chronological_split
from seqlab.errors import ConfigError, check, positive_int
from seqlab.io import write_json
from seqlab.models import model_class
from seqlab.tasks.forecasting.checks import resolve_columns
from seqlab.tasks.forecasting.forecaster import Forecaster

__all__ = ["SPACES", "open_study", "tune"]

# name -> ("log" low high | "float" low high | "int" low high | "cat" choices); a name with a
# dot is a model's own setting (model_params).
Space = dict[str, tuple[Any, ...]]
COMMON: Space = {"lr": ("log", 1e-4, 1e-2), "batch_size": ("cat", 32, 64, 128)}
_RECURRENT: Space = {
    "hidden_size": ("cat", 32, 64, 128),
    "num_layers": ("int", 1, 3),
    "dropout": ("float", 0, 0.3),
}
SPACES: dict[str, Space] = {
    "rnn": _RECURRENT,
    "lstm": _RECURRENT,
    "gru": _RECURRENT,
    "transformer": {**_RECURRENT, "num_heads": ("cat", 2, 4)},
    "tcn": {**_RECURRENT, "kernel_size": ("cat", 2, 3, 5)},
    "dlinear": {"kernel_size": ("cat", 5, 13, 25)},
    "segrnn": {"hidden_size": ("cat", 64, 128, 256), "dropout": ("float", 0, 0.5)},
    "patchtst": {
        "hidden_size": ("cat", 32, 64),
        "num_layers": ("int", 1, 3),
        "dropout": ("float", 0, 0.3),
    },
    "nbeats": {"hidden_size": ("cat", 128, 256), "num_layers": ("int", 2, 4)},
}
_RUN_FIELDS = {"lr", "batch_size", "hidden_size", "num_layers", "dropout"}  # in RunConfig


def open_study(storage: str | Path, name: str, seed: int) -> Any:
    """The study ``name`` in ``storage`` (created when new): a journal file, or SQLite for a
    name ending in .db / .sqlite (or an ``sqlite:///`` URL); TPE sampling and median pruning."""
    import optuna
    from sqlalchemy.exc import SQLAlchemyError  # Optuna's SQL storage (a dependency of it)

    text = str(storage)
    if Path(text).is_dir():
        raise ConfigError(
            f"storage of tune must be a file (a journal, or SQLite ending in .db); got the "
            f"folder {text!r}. Name a file in it, e.g. {str(Path(text) / 'journal.log')!r}.",
            param="storage",
        )
    try:
        if text.startswith("sqlite:///") or text.endswith((".db", ".sqlite")):
            backend: Any = text if text.startswith("sqlite:///") else f"sqlite:///{text}"
        else:
            from optuna.storages.journal import JournalFileBackend, JournalStorage

            Path(text).parent.mkdir(parents=True, exist_ok=True)
            backend = JournalStorage(JournalFileBackend(text))
        return optuna.create_study(
            study_name=name,
            storage=backend,
            load_if_exists=True,
            direction="minimize",
            sampler=optuna.samplers.TPESampler(seed=seed),
            pruner=optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=2),
        )
    except (ValueError, OSError, SQLAlchemyError) as err:
        # A journal that is not one (JSONDecodeError and UnicodeDecodeError are ValueErrors),
        # an SQLite file that is not a database.
        raise ConfigError(
            f"storage of tune must be a journal or SQLite file written by Optuna, or a new "
            f"file; got {text!r}, which cannot be read as one ({type(err).__name__}). Pass "
            "a new file name, or the file of the study to go on with.",
            param="storage",
        ) from None


def _sample(trial: Any, model: str) -> dict[str, Any]:
    chosen = {}
    for name, (kind, *args) in {**COMMON, **SPACES.get(model, {})}.items():
        if kind == "log":
            chosen[name] = trial.suggest_float(name, args[0], args[1], log=True)
        elif kind == "float":
            chosen[name] = trial.suggest_float(name, args[0], args[1])
        elif kind == "int":
            chosen[name] = trial.suggest_int(name, args[0], args[1])
        else:
            chosen[name] = trial.suggest_categorical(name, list(args))
    return chosen


def _settings(config: RunConfig, chosen: dict[str, Any]) -> RunConfig:
    """``config`` with a trial's settings: the run's own fields, the rest as model_params."""
    model = config.models[0]
    own = {k: v for k, v in chosen.items() if k not in _RUN_FIELDS}
    return replace(
        config,
        **{k: v for k, v in chosen.items() if k in _RUN_FIELDS},
        model_params={model: own} if own else {},
    )


def tune(
    config: RunConfig,
    trials: int,
    storage: str | Path,
    out: str | Path,
    study: str | None = None,
    on_trial: Callable[[Any], None] | None = None,
) -> Any:
    """Run ``trials`` trials of ``config``'s one model (see the module docstring); write the
    best trial's RunConfig to ``out``/config.json; return the study."""
    import optuna

    check("tune", {"trials": positive_int()}, {"trials": trials})
    if len(config.models) != 1 or config.id_col is not None:
        raise ConfigError(
            f"models of seqlab tune must be one network on one series; got {config.models}"
            f"{' on long data' if config.id_col else ''}. Tune one model at a time: --model lstm.",
            param="models",
        )
    model = config.models[0]
    if model not in SPACES:
        model_class(model)  # an unknown name: the registry's sentence
        raise ConfigError(
            f"models of seqlab tune must be a network with settings to search "
            f"({', '.join(SPACES)}); got {model!r}, a baseline with nothing to tune. Pick a "
            "network, e.g. --model lstm.",
            param="models",
        )
    Forecaster(**config.forecaster_params(model))._check_params()  # before any trial runs
    df = config.load_data()
    whole = chronological_split(df.index, config.val_size, config.test_size)  # rows, not values
    visible = df.iloc[: whole.val_end]  # the test rows are cut off before anything reads them
    columns, targets = resolve_columns(
        visible, config.resolved_target(), config.features, config.strategy
    )
    data = check_series(visible, columns, config.missing)
    split = Split(whole.train_end, whole.val_end, whole.val_end)

    def objective(trial: Any) -> float:
        run = _settings(config, _sample(trial, model))
        fc = Forecaster(**run.forecaster_params(model))
        fc._check_params()

        def report(epoch: int, value: float) -> None:
            trial.report(value, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()

        fc._fit_data(data, targets, split, report=report)
        best = fc.history_["val_loss"].min()
        trial.set_user_attr("config", asdict(run))
        return float(best)

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    found = open_study(storage, study or f"seqlab-{model}", config.seed)
    callbacks = [] if on_trial is None else [lambda s, t: on_trial(t)]
    found.optimize(objective, n_trials=trials, callbacks=callbacks)
    done = [t for t in found.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if not done:
        raise ConfigError(
            f"trials of tune must let at least one trial finish; got {len(found.trials)} "
            "trials in the study, none complete (pruned or failed). Run more trials.",
            param="trials",
        )
    write_json(Path(out) / "config.json", found.best_trial.user_attrs["config"])
    return found
