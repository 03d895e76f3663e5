"""The installed package's version (``0.0.0+local`` in a source tree that is not installed).

Examples
--------
>>> __version__.count(".") >= 2
True
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("adoptsim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+local"
