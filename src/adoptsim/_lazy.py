"""Package faces that import their public names on first use.

A package's ``__init__`` lists ``name -> submodule`` and gets ``__getattr__``
and ``__dir__`` from :func:`lazy_exports`, so importing the package (to read
one light submodule, say) loads none of the heavy ones (numba, scipy, Mesa).

Examples
--------
>>> getattr_, dir_ = lazy_exports("adoptsim.model", {"STRATEGIES": "targeting"})
>>> sorted(getattr_("STRATEGIES"))[:2]
['bridging', 'champions']
"""

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_exports(package: str, exports: dict[str, str]
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, whose names live in submodules.

    Parameters
    ----------
    package
        The package's ``__name__``.
    exports
        Public name -> the submodule (relative to ``package``) that defines it.
    """
    namespace = import_module(package).__dict__

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f".{module}", package), name)
        namespace[name] = value  # later look-ups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted([*namespace, *exports])

    return __getattr__, __dir__
