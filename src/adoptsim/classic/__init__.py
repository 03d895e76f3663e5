"""Classic diffusion and opinion models, as numba kernels over CSR graphs.

Each model family lives in its own module; the public functions validate
their input, draw all random numbers from a :class:`numpy.random.Generator`,
allocate the outputs and call a pure ``@njit`` kernel (docs/classic.md). Graphs are
symmetric CSR arrays ``indptr``/``indices`` as in :mod:`adoptsim.network`.

==========================  ================================================================
module                      models
==========================  ================================================================
:mod:`.bass`                Bass (1969): closed form, peak time, agent-based version
:mod:`.collective`          Granovetter (1978) threshold model of collective behaviour
:mod:`.threshold`           Watts (2002) cascades and window; Centola & Macy (2007)
:mod:`.epidemic`            SIR / SIS on networks; transmissibility, thresholds, final size
:mod:`.influence`           IC / LT (Kempe et al. 2003), CELF greedy seeds, baselines
:mod:`.opinion`             DeGroot (1974), Friedkin–Johnsen (1990) and their limits
:mod:`.bounded_confidence`  Deffuant et al. (2000) bounded confidence
:mod:`.cli`                 ``adoptsim classic MODEL`` (see :func:`.cli.register`)
==========================  ================================================================

The names below are imported on first use, so that registering the command
line (``adoptsim.classic.cli``) does not load numba and scipy.

Examples
--------
>>> from adoptsim.classic import bass_peak_time
>>> round(bass_peak_time(p=0.03, q=0.38), 2)  # ln(q/p) / (p + q)
6.19
"""

from .._lazy import lazy_exports

#: Public name -> module that defines it.
_EXPORTS = {
    "BassRun": "bass",
    "bass_abm": "bass",
    "bass_adoption": "bass",
    "bass_density": "bass",
    "bass_peak_time": "bass",
    "GranovetterResult": "collective",
    "granovetter": "collective",
    "granovetter_normal_equilibrium": "collective",
    "Cascade": "threshold",
    "CascadeTrials": "threshold",
    "complex_contagion": "threshold",
    "complex_contagion_trials": "threshold",
    "fractional_need": "threshold",
    "neighbourhood_seeds": "threshold",
    "threshold_cascade": "threshold",
    "watts_cascade": "threshold",
    "watts_cascade_condition": "threshold",
    "watts_cascade_frequency": "threshold",
    "watts_cascade_window": "threshold",
    "watts_trials": "threshold",
    "EpidemicRun": "epidemic",
    "INFECTED": "epidemic",
    "RECOVERED": "epidemic",
    "SUSCEPTIBLE": "epidemic",
    "epidemic_threshold": "epidemic",
    "er_final_size": "epidemic",
    "sir": "epidemic",
    "sis": "epidemic",
    "sis_threshold": "epidemic",
    "transmissibility": "epidemic",
    "LiveEdges": "influence",
    "celf": "influence",
    "degree_seeds": "influence",
    "greedy": "influence",
    "independent_cascade": "influence",
    "linear_threshold": "influence",
    "random_seeds": "influence",
    "sample_live_edges": "influence",
    "spread": "influence",
    "OpinionRun": "opinion",
    "degroot": "opinion",
    "degroot_limit": "opinion",
    "friedkin_johnsen": "opinion",
    "friedkin_johnsen_limit": "opinion",
    "DeffuantRun": "bounded_confidence",
    "deffuant": "bounded_confidence",
    "opinion_clusters": "bounded_confidence",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
