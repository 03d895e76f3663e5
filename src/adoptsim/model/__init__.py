"""The adoption model: state, kernels, targeting, metrics, agents and one run's files.

==================  ==============================================================
module              what it holds
==================  ==============================================================
:mod:`.model`       :class:`AdoptionModel`, the Mesa face of a run
:mod:`.engine`      :class:`Engine`: one run's arrays and compiled weeks (no Mesa)
:mod:`.state`       the arrays of a run (named tuples) and its memory estimate
:mod:`.initial`     the initial state drawn from a scenario
:mod:`.params`      the scalar parameters compiled code reads
:mod:`.rng`         counter-based random numbers
:mod:`.kernels`     the compiled week, one module per phase
:mod:`.targeting`   the managers' targeting strategies (one registry)
:mod:`.metrics`     the metric table and the run summaries
:mod:`.agents`      Mesa agents as views of the arrays
:mod:`.output`      one run's files (time series, summary, plot)
==================  ==============================================================

The names below are imported on first use, so that reading the metric table
or the strategies (the scenario schema does) loads neither Mesa nor numba.

Examples
--------
>>> from adoptsim.model import AdoptionModel
>>> AdoptionModel(employees=100, steps=1, rng=0).run()["step"].tolist()
[0, 1]
"""

from .._lazy import lazy_exports

#: Public name -> module that defines it.
_EXPORTS = {
    "AdoptionModel": "model",
    "CommsManager": "agents",
    "Employee": "agents",
    "Engine": "engine",
    "State": "state",
    "estimate_bytes": "state",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
