"""The model's compiled week (docs/odd.md, section 3), one module per phase.

==================  ==============================================================
module              what it holds
==================  ==============================================================
:mod:`.step`        the week's schedule (:func:`~.step.step`), a whole run, the outputs
:mod:`.neighbours`  neighbour statistics from the start of the week
:mod:`.rows`        every employee's own decisions: awareness ... fear
:mod:`.views`       who reads which post, and the benefit of what is read
:mod:`.following`   the follow graph: follows by route
:mod:`.engagement`  the managers: joining, reading, interactions, tone review
:mod:`.trust`       trust, relationships' decay, and the week's sums
==================  ==============================================================

Kernels are pure: arrays in, arrays out, no random state (counter-based
numbers, :mod:`adoptsim.model.rng`), no I/O. They take the run behind one
pointer (:func:`adoptsim.jit.make_run`) and take arrays out of it before their
loops. Every kernel is checked against a plain-Python reference written from
docs/odd.md (tests/reference.py) on the same random numbers.
"""
