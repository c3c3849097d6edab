"""Plots (matplotlib, no pyplot state) and the self-contained HTML report of a run, drawn
from the plain results of :func:`seqlab.tasks.forecasting.experiment.run_forecast`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from seqlab.errors import ConfigError

if TYPE_CHECKING:
    from seqlab.tasks.forecasting.experiment import RunResult

__all__ = ["write_run"]


def write_run(result: RunResult, out: str | Path | None = None) -> dict[str, Path]:
    """Write a run's plots and ``report.html`` into ``out`` (default: the run's own folder);
    return {title: path} of every file written.

    Example:
        >>> import tempfile
        >>> from seqlab.config import RunConfig
        >>> from seqlab.tasks.forecasting.experiment import run_forecast
        >>> result = run_forecast(RunConfig(dataset="sine", models=["dlinear"], epochs=1))
        >>> files = write_run(result, tempfile.mkdtemp())
        >>> sorted(p.name for p in files.values())[-1]
        'report.html'
    """
    from seqlab.report import html, plots

    folder = out if out is not None else result.out
    if folder is None:
        raise ConfigError(
            "out of seqlab.report.write_run must be given when the run was not saved; got "
            "None. Pass a folder, or run run_forecast(config, out=...).",
            param="out",
        )
    folder = Path(folder)
    if result.config.id_col is not None:  # many series
        from seqlab.report.panel import write_panel_run

        return write_panel_run(result, folder)  # type: ignore[arg-type]
    images = plots.write_all(result, folder)
    return {**images, "Report": html.write_report(result, images, folder)}
