"""adoptsim: agent-based simulation of internal social channel adoption.

Employees hear of a new channel, join, post or lurk, and sometimes move to an
underground back-channel; communications managers engage with them and earn
(or lose) trust. See ``docs/odd.md`` for the model and
``docs/architecture.md`` for how the package is laid out.

Examples
--------
>>> import adoptsim
>>> cfg = adoptsim.load_config(overrides={"organisation.employees": 200, "run.steps": 5})
>>> len(adoptsim.AdoptionModel.from_scenario(cfg).run())
6
"""

from ._version import __version__


def __getattr__(name: str):
    # Lazy, so `import adoptsim` stays fast and does not compile kernels.
    if name == "AdoptionModel":
        from .model.model import AdoptionModel

        return AdoptionModel
    if name == "load_config":
        from .config import load_config

        return load_config
    if name == "load_results":
        from .sweeps.results import load_results

        return load_results
    raise AttributeError(f"module 'adoptsim' has no attribute {name!r}")


__all__ = ["AdoptionModel", "__version__", "load_config", "load_results"]
