"""Fitting scenarios to an organisation's own channel data, and the importers that prepare it."""
