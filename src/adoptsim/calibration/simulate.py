"""Running the model at fitted values: the simulator pyabc calls, and posterior draws.

:class:`Simulator` is pyabc's model: it takes a parameter (the fitted keys
in pyabc's scale, see :mod:`.priors`), runs the scenario with those values
and returns the target's summary statistics (:mod:`.statistics`). A run is
a pure function of the calibration's seed and the parameter's values (its
seed is hashed from both), so the same particle gives the same statistics
in any process, locally or on a Dask worker. Runs are single-threaded:
parallelism comes from running many at once.

The organisation is built once, from ``organisation.seed`` when the
scenario sets it and from the calibration's seed otherwise, and shared by
every run (an edge list is the same network anyway), unless a fitted key is
an ``[organisation]`` key: then each run builds its own.

Examples
--------
>>> run_seed(1, [0.5, -2.0]) == run_seed(1, [0.5, -2.0]) != run_seed(2, [0.5, -2.0])
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .priors import FitKey
from .statistics import Curves, Target

if TYPE_CHECKING:
    from ..config import ScenarioConfig
    from ..network import Network

__all__ = ["Simulator", "draw_seeds", "network_seed", "run_seed"]

#: Streams of :func:`draw_seeds`, so the predictive check and forecasts draw apart.
PREDICTIVE, FORECAST, NETWORK = 1, 2, 3


def run_seed(seed: int, x: Sequence[float]) -> int:
    """A run's 63-bit seed from the calibration's ``seed`` and the parameter values ``x``."""
    words = np.asarray(x, np.float64).view(np.uint64).tolist()
    state = np.random.SeedSequence([seed, *words]).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(1))


def draw_seeds(seed: int, stream: int, n: int) -> list[int]:
    """``n`` run seeds of ``stream`` (:data:`PREDICTIVE`, :data:`FORECAST`) from ``seed``."""
    states = np.random.SeedSequence([seed, stream]).generate_state(n, np.uint64)
    return [int(s >> np.uint64(1)) for s in states]


def network_seed(config: ScenarioConfig, seed: int) -> int:
    """The seed the shared organisation is built from: ``organisation.seed``, else from ``seed``."""
    if config.organisation.seed is not None:
        return int(config.organisation.seed)
    return draw_seeds(seed, NETWORK, 1)[0]


def with_values(config: ScenarioConfig, values: Mapping[str, Any]) -> ScenarioConfig:
    """``config`` with dotted keys set, without validating again.

    The values are within bounds that were validated when the keys were
    parsed (:func:`~adoptsim.calibration.priors.parse_fit`), and a run
    needs this thousands of times.
    """
    sections: dict[str, dict[str, Any]] = {}
    for dotted, value in values.items():
        section, _, key = dotted.partition(".")
        sections.setdefault(section, {})[key] = value
    return config.model_copy(update={
        section: getattr(config, section).model_copy(update=keys)
        for section, keys in sections.items()
    })


class Simulator:
    """Runs the scenario at fitted values and returns summary statistics (pyabc's model).

    Parameters
    ----------
    config
        The scenario (validated).
    fits
        The fitted keys.
    target
        What the runs are compared on.
    seed
        The calibration's seed.
    """

    def __init__(self, config: ScenarioConfig, fits: list[FitKey], target: Target,
                 seed: int) -> None:
        self.config = config
        self.fits = fits
        self.target = target
        self.seed = seed
        self.network_seed = network_seed(config, seed)
        self.shared_network = not any(f.key.startswith("organisation.") for f in fits)
        self._network: Network | None = None

    def __getstate__(self) -> dict[str, Any]:
        # A Dask worker rebuilds the network (from the same seed) rather than receive it.
        return {**self.__dict__, "_network": None}

    @property
    def network(self) -> Network | None:
        """The shared organisation, built on first use in each process (None: one per run)."""
        if self._network is None and self.shared_network:
            from ..network import build_network

            self._network = build_network(self.config.organisation,
                                          np.random.default_rng(self.network_seed),
                                          self.config.resolve_path)
        return self._network

    def share(self, network: Network) -> None:
        """Use ``network`` (built from :attr:`network_seed`) as the shared organisation."""
        self._network = network

    def values(self, params: Mapping[str, float]) -> dict[str, float | int]:
        """The fitted keys' values for pyabc's parameter ``params``."""
        return {f.key: f.value(params[f.name]) for f in self.fits}

    def curves(self, values: Mapping[str, Any], seed: int) -> Curves:
        """Run the scenario with the keys set to ``values``; the target's curves."""
        import numba

        from ..model.engine import Engine

        threads = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            engine = Engine(with_values(self.config, values), seed, network=self.network)
            return self.target.record(engine)
        finally:
            numba.set_num_threads(threads)

    def __call__(self, params: Mapping[str, float]) -> dict[str, float]:
        """pyabc's model: the summary statistics of a run at ``params``."""
        seed = run_seed(self.seed, [params[f.name] for f in self.fits])
        return self.target.statistics(self.curves(self.values(params), seed))

    def draws(self, values: list[dict[str, Any]], seeds: list[int]) -> list[Curves]:
        """The curves of one run per (values, seed) pair, e.g. posterior draws."""
        return [self.curves(v, s) for v, s in zip(values, seeds, strict=True)]
