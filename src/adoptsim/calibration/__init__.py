"""Fitting scenarios to an organisation's own channel data, forecasts, and the importers.

``adoptsim calibrate`` and ``adoptsim forecast`` (docs/calibration.md). The modules:

=================  ==============================================================
:mod:`.observed`   the observed data, read and checked (weekly or who joined when)
:mod:`.priors`     the fitted keys (``--fit KEY=LO:HI[:log]``) and their priors
:mod:`.statistics` summary statistics: what runs are compared with the data on
:mod:`.simulate`   runs at fitted values: pyabc's model, posterior draws
:mod:`.smc`        the ABC-SMC run with pyabc (distance, samplers, progress)
:mod:`.outputs`    posterior, summary, predictive check, calibrated scenario
:mod:`.report`     the figures and ``calibration.html``
:mod:`.calibrate`  the whole ``calibrate`` command, inputs checked first
:mod:`.forecast`   alternatives against the calibrated status quo, paired
:mod:`.cli`        the commands, registered on ``adoptsim``
:mod:`.importers`  Slack and Viva Engage exports to the files calibration reads
=================  ==============================================================
"""
