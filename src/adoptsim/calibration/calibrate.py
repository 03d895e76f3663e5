"""``adoptsim calibrate``: fit scenario keys to observed data, and write every output.

:func:`calibrate` checks everything it is given before the first run (the
scenario, the fitted keys and their bounds, the observed file against the
scenario's network and run length, the output folder), then runs ABC-SMC
(:mod:`.smc`), the posterior predictive check and writes the files
described in :mod:`.outputs` and :mod:`.report`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import InputError, reject_nul
from .observed import IndividualData, Observed, read_observed
from .priors import FitKey, parse_fits
from .simulate import Simulator, network_seed
from .smc import AbcResult, Generation, run_abc
from .statistics import AggregateTarget, IndividualTarget, Target

if TYPE_CHECKING:
    from ..config import ScenarioConfig
    from ..network import Network

__all__ = ["Calibration", "calibrate", "prepare"]

#: Fewest particles per generation: pyabc's kernel density needs a population.
MIN_PARTICLES = 10
#: Most particles per generation (pyabc holds every one, and its statistics, in memory).
MAX_PARTICLES = 100_000
#: Most generations allowed (each is a full population of accepted runs).
MAX_GENERATIONS = 100


@dataclass
class Calibration:
    """A finished calibration: its posterior, summary and the files written."""

    posterior: pd.DataFrame
    summary: dict[str, Any]
    files: list[Path]


def _target(data: Observed, cfg: ScenarioConfig, network: Network, what: str) -> Target:
    """What the runs are compared on; individual data are matched to the network's nodes."""
    if isinstance(data, IndividualData):
        from ..model.state import manager_nodes

        joined = data.by_node(network.labels, what)
        staff = np.ones(network.n, bool)
        staff[manager_nodes(cfg, network)] = False
        return IndividualTarget(data, joined, network.indptr, network.indices, staff,
                                cfg.run.steps)
    return AggregateTarget(data)


def prepare(scenario: str | Path, observed: str | Path, fit: list[str] | None, seed: int
            ) -> tuple[Path, Simulator]:
    """The scenario's file and the simulator, with every input checked.

    Raises
    ------
    InputError
        For a bad scenario, ``--fit`` item or observed file (see
        :func:`~.priors.parse_fit` and :func:`~.observed.read_observed`).
    """
    from ..config import load_config
    from ..model.state import require_run_memory
    from ..network import build_network
    from ..scenarios import find_scenario

    path = find_scenario(reject_nul(str(scenario), "The scenario"))
    cfg = load_config(path)
    fits = parse_fits(fit, cfg)
    data = read_observed(observed, cfg.run.steps)
    require_run_memory(cfg)  # a generated organisation's size bomb fails before it is built
    network = build_network(cfg.organisation, np.random.default_rng(network_seed(cfg, seed)),
                            cfg.resolve_path)
    require_run_memory(cfg, network)  # an edge list's size is known only now
    target = _target(data, cfg, network, f"the scenario {path}")
    simulator = Simulator(cfg, fits, target, seed)
    if simulator.shared_network:
        simulator.share(network)
    return path, simulator


def _check_counts(particles: int, generations: int, workers: int, seed: int) -> None:
    if particles < MIN_PARTICLES:
        raise InputError(f"--particles {particles} is too few; give at least {MIN_PARTICLES} "
                         f"(a few hundred for a usable posterior).")
    if particles > MAX_PARTICLES:
        raise InputError(f"--particles {particles:,} is too many; give at most "
                         f"{MAX_PARTICLES:,}.")
    if not 1 <= generations <= MAX_GENERATIONS:
        raise InputError(f"--generations {generations} is not allowed; give 1 to "
                         f"{MAX_GENERATIONS}.")
    if workers < 1:
        raise InputError(f"--workers {workers} is not allowed; give 1 or more.")
    if seed < 0:
        raise InputError(f"--seed {seed} is not allowed; give a whole number >= 0.")


def calibrate(scenario: str | Path, observed: str | Path, fit: list[str] | None,
              out: str | Path, particles: int = 400, generations: int = 8, workers: int = 1,
              scheduler: str | None = None, seed: int = 0,
              progress: Callable[[Generation], None] | None = None,
              announce: Callable[[str], None] | None = None) -> Calibration:
    """Fit the ``fit`` keys of ``scenario`` to ``observed`` by ABC-SMC; write into ``out``.

    Parameters
    ----------
    scenario
        A scenario file or the name of a shipped scenario.
    observed
        The observed data (:mod:`.observed`).
    fit
        ``KEY=LO:HI[:log]`` items (:mod:`.priors`).
    out
        Output folder (created if missing; files of the same names are
        replaced, and pyabc adds the run to an existing ``abc.db``).
    particles, generations
        ABC-SMC's population size and number of generations.
    workers
        Local processes (1: this process; the same seed then gives the same posterior).
    scheduler
        A Dask scheduler address instead of local processes.
    seed
        Seeds the proposals and every run.
    progress
        Called after each generation.
    announce
        Called with lines describing the set-up before the runs start.

    Returns
    -------
    Calibration

    Raises
    ------
    InputError
        For any bad input, before the first run.
    """
    from ..atomic import check_output_folder
    from .outputs import (
        calibrated_toml,
        posterior_values,
        predictive_check,
        summary_data,
        write_outputs,
    )
    from .report import figures, write_report

    if scheduler and workers != 1:
        raise InputError("Give either --workers (local processes) or --scheduler (a Dask "
                         "cluster), not both.")
    _check_counts(particles, generations, workers, seed)
    out = check_output_folder(out)  # before the work, so a bad folder costs nothing
    path, simulator = prepare(scenario, observed, fit, seed)
    target = simulator.target
    lines = [f"Observed {target.data.path}: {target.data.describe()}; "
             f"{len(target.points()):,} statistics.",
             *(f"Fitting {f.describe()}." for f in simulator.fits)]

    def started_on(sampler: str) -> None:
        for line in [*lines, f"Running {generations} generations of {particles:,} particles "
                     f"on {sampler}."]:
            (announce or (lambda _: None))(line)

    result: AbcResult = run_abc(simulator, out / "abc.db", particles, generations, seed,
                                workers, scheduler, progress, started_on)
    fits: list[FitKey] = simulator.fits
    posterior = posterior_values(result.particles, fits)
    points = target.points()
    predictive = predictive_check(simulator, posterior, points, seed)
    cfg = simulator.config
    info = {
        "scenario_file": str(path.resolve()),
        "observed_file": str(target.data.path.resolve()),
        "form": target.data.form,
        "observed": target.data.describe(),
        "weeks": target.horizon,
        "particles": particles,
        "seed": seed,
        "network_seed": simulator.network_seed,
        "workers": None if scheduler else workers,
        "scheduler": scheduler,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "scenario": cfg.to_dict(),
    }
    summary = summary_data(result, posterior, fits, predictive, info)
    header = [
        f"Calibrated by adoptsim calibrate ({info['finished']}): {path}",
        f"fitted to {target.data.path} ({target.data.describe()}).",
        "Every key of the scenario; the fitted keys are at their posterior medians.",
    ]
    files = write_outputs(out, posterior, summary,
                          predictive, calibrated_toml(cfg.to_dict(), posterior, fits, header))
    images = figures(posterior, fits, predictive, points, summary, "week (model step)")
    files += write_report(out, images, summary, predictive.table)
    return Calibration(posterior, summary, [out / "abc.db", *files])
