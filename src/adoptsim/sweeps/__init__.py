"""Sweeps: an experiment's design, run with replications, stored, analysed and reported.

==================  ==============================================================
module              what it holds
==================  ==============================================================
:mod:`.experiment`  experiment files: validation, seeds, run ids
:mod:`.design`      grids, Latin hypercubes, Sobol' and Morris samples, ablations
:mod:`.run`         running batches of runs (resume, failures, interruption)
:mod:`.executors`   in-process, a local process pool, or a Dask cluster
:mod:`.store`       the results folder: manifest, design, batch files of runs
:mod:`.lock`        one sweep at a time per results folder
:mod:`.results`     reading results back (``adoptsim.load_results``)
:mod:`.export`      CSV exports
:mod:`.analysis`    means and intervals, attribution (ablation), Morris screening
:mod:`.report`      the HTML report
:mod:`.cli`         ``adoptsim sweep``, ``export`` and ``report``
==================  ==============================================================

Examples
--------
>>> from adoptsim.sweeps.analysis import mean_ci
>>> round(mean_ci([1.0, 2.0, 3.0]).mean, 1)
2.0
"""
