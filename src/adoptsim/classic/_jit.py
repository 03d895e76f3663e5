"""The numba decorator of every classic-model kernel.

It uses the project's numba options (:data:`adoptsim.kernels.JIT`: compiled
code cached between processes, no ``fastmath``, so the kernels give
bit-identical results to their plain-Python references in the tests).
"""

from numba import njit

from ..kernels import JIT

kernel = njit(**JIT)
