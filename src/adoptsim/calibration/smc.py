"""The ABC-SMC run: pyabc's ``ABCSMC`` with its adaptive distance and its samplers.

Set-up (docs/calibration.md, "How it fits"):

* prior: independent uniforms over the fitted keys (:mod:`.priors`);
* distance: pyabc's ``AdaptivePNormDistance`` (p = 2): each statistic is
  scaled by its median absolute deviation over the previous generation
  (Prangle 2017) and by a fixed weight that makes every observed series
  weigh the same (:func:`.statistics.weights`);
* ε: pyabc's default, the median distance of the previous generation;
* proposals: pyabc's multivariate normal kernel;
* samplers: ``SingleCoreSampler`` (one worker), ``MulticoreEvalParallelSampler``
  (``workers`` > 1, forked processes) or ``DaskDistributedSampler`` (a
  scheduler address).

Reproducibility is what pyabc allows: it draws proposals from NumPy's
global random state, which is seeded from ``seed`` here, so one worker
gives the same posterior for the same seed. Its parallel samplers reseed
every worker process from the operating system and keep the particles that
finish first, so several workers or a Dask cluster give a statistically
equivalent posterior, not the same numbers. Each run is still a pure
function of the seed and its parameter values (:mod:`.simulate`).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .simulate import Simulator
from .statistics import observed_statistics, weights

__all__ = ["AbcResult", "Generation", "run_abc"]

#: Runs a Dask job does before reporting back (fewer round trips for runs of milliseconds).
DASK_BATCH = 4
#: Seconds to wait for a Dask scheduler.
DASK_TIMEOUT = 10


@dataclass(frozen=True)
class Generation:
    """One finished generation of the ABC-SMC run."""

    t: int
    generations: int
    epsilon: float
    accepted: int
    simulations: int
    ess: float
    seconds: float

    @property
    def acceptance(self) -> float:
        """Accepted particles per run."""
        return self.accepted / self.simulations if self.simulations else math.nan

    def line(self) -> str:
        """The progress line, e.g. ``generation 2/8: ε 0.412, accepted 400/1,730 (23.1%) ...``."""
        return (f"generation {self.t + 1}/{self.generations}: ε {self.epsilon:.4g}, accepted "
                f"{self.accepted:,}/{self.simulations:,} runs ({100 * self.acceptance:.1f}%), "
                f"effective sample size {self.ess:.0f}, {self.seconds:.1f} s")


@dataclass
class AbcResult:
    """What the run produced.

    Attributes
    ----------
    particles : pandas.DataFrame
        The last generation: one column per fitted key (pyabc's names, in
        pyabc's scale) and ``weight`` (normalised).
    generations : list of Generation
        Every generation, in order.
    runs : int
        Model runs simulated, including pyabc's first sample from the prior
        that calibrates the distance.
    seconds : float
        Wall time of the run.
    history_id : int
        The run's id in the database.
    sampler : str
        The sampler, in words.
    reproducible : bool
        Whether the same seed gives the same posterior (one worker).
    """

    particles: pd.DataFrame
    generations: list[Generation]
    runs: int
    seconds: float
    history_id: int
    sampler: str
    reproducible: bool


@contextmanager
def _sampler(workers: int, scheduler: str | None) -> Iterator[tuple[object, str]]:
    """pyabc's sampler for ``workers`` local processes or a Dask ``scheduler``, and its name."""
    import pyabc

    if scheduler:
        from dask.distributed import Client

        try:
            client = Client(scheduler, timeout=DASK_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(
                f"Cannot reach the Dask scheduler at {scheduler} ({exc}). Start one with "
                f"`dask scheduler` and workers with `dask worker {scheduler}`; the workers need "
                f"adoptsim installed and the scenario's files at the same paths."
            ) from None
        try:
            cores = sum(client.ncores().values())
            yield (pyabc.sampler.DaskDistributedSampler(dask_client=client, batch_size=DASK_BATCH),
                   f"Dask cluster {scheduler} ({cores} worker threads)")
        finally:
            client.close()
        return
    if workers == 1:
        yield pyabc.sampler.SingleCoreSampler(), "1 worker (in-process)"
        return
    yield (pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers),
           f"{workers} local worker processes")


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """Seed NumPy's global random state, which pyabc draws from; restore it afterwards."""
    # pyabc has no random-state argument: its global state is the only seed it takes.
    state = np.random.get_state()  # noqa: NPY002
    np.random.seed(seed % 2**32)  # noqa: NPY002
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


def _quiet_pyabc() -> None:
    """pyabc logs every generation at INFO on stderr; adoptsim prints its own progress."""
    for name in ("ABC", "pyabc"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _warm(simulator: Simulator) -> None:
    """Load the compiled model (and the shared network) before workers are forked.

    Forked workers inherit both instead of loading them again in every
    generation. The warm-up run is tiny, so it runs on the calling thread:
    numba's OpenMP threads, which forked processes cannot use, are not started.
    """
    from ..config import load_config
    from ..model.engine import Engine

    _ = simulator.network
    Engine(load_config(overrides={"organisation.employees": 30, "run.steps": 1,
                                  "comms.count": 1}), 0).advance()


def run_abc(simulator: Simulator, db: Path, particles: int, generations: int, seed: int,
            workers: int = 1, scheduler: str | None = None,
            progress: Callable[[Generation], None] | None = None,
            started_on: Callable[[str], None] | None = None) -> AbcResult:
    """Fit the simulator's keys to its target's observed statistics by ABC-SMC.

    Parameters
    ----------
    simulator
        The model, fitted keys and target.
    db
        The SQLite database file pyabc writes (a new run is added to an existing one).
    particles
        Particles per generation.
    generations
        Generations to run.
    seed
        Seeds pyabc's proposals and every run.
    workers
        Local processes (1: in this process).
    scheduler
        A Dask scheduler address, instead of local processes.
    progress
        Called after each generation.
    started_on
        Called with the sampler's name once it is ready (a cluster reached),
        before the first run.

    Returns
    -------
    AbcResult
    """
    import pyabc

    from ..atomic import writable_folder
    from .priors import prior

    _quiet_pyabc()
    target = simulator.target
    started = time.perf_counter()
    with _sampler(workers, scheduler) as (sampler, name), _seeded(seed):
        writable_folder(db.parent, "--out")  # made only once a cluster is reached
        if started_on is not None:
            started_on(name)
        if workers > 1 and not scheduler:
            _warm(simulator)
        abc = pyabc.ABCSMC(
            pyabc.FunctionModel(simulator, name="adoptsim"),
            prior(simulator.fits),
            pyabc.AdaptivePNormDistance(p=2, scale_function=pyabc.distance.mad,
                                        fixed_weights=weights(target)),
            population_size=particles,
            sampler=sampler,
        )
        history = abc.new(f"sqlite:///{db.resolve()}", observed_statistics(target))
        done: list[Generation] = []
        try:
            # pyabc's ABCSMC.run, one generation at a time so that progress can be reported.
            t = abc.initialize_components_before_run(
                minimum_epsilon=None, max_nr_populations=generations, min_acceptance_rate=0.0,
                max_total_nr_simulations=np.inf, max_walltime=None, min_eps_diff=0.0)
            while True:
                began = time.perf_counter()
                ret = abc.run_generation(t=t)
                if not ret["successful"]:
                    break
                _, w = history.get_distribution(0, t)
                step = Generation(t, generations, float(abc.eps(t)), particles,
                                  int(abc.sampler.nr_evaluations_),
                                  float(pyabc.weighted_statistics.effective_sample_size(w)),
                                  time.perf_counter() - began)
                done.append(step)
                if progress is not None:
                    progress(step)
                if abc.check_terminate(t=t, acceptance_rate=ret["acceptance_rate"]):
                    break
                t += 1
        finally:
            history.done()
            sampler.stop()
    if not done:
        raise InputError("pyabc accepted no generation of particles; widen the --fit bounds "
                         "or check that the scenario can produce the observed data.")
    frame, w = history.get_distribution(0, done[-1].t)
    frame = frame.reset_index(drop=True)
    frame["weight"] = w / w.sum()
    return AbcResult(frame, done, int(history.total_nr_simulations),
                     time.perf_counter() - started, int(history.id), name,
                     reproducible=workers == 1 and not scheduler)
