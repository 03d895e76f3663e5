"""Refusing work that cannot fit in memory, before anything is allocated.

Size checks compare an estimate of the bytes a computation needs with the
memory the machine has available now (:func:`psutil.virtual_memory`), and
raise :class:`~adoptsim.errors.InputError` with both numbers, so a size bomb
("50 million employees, mean degree 10,000") is one clear message instead of
a ``MemoryError`` or a machine that swaps for an hour.

Examples
--------
>>> format_bytes(1536)
'1.5 kB'
>>> require_memory(10**18, "a test")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
adoptsim.errors.InputError: a test needs about 1,000,000 TB of memory, but only ...
"""

from __future__ import annotations

import math

import psutil

from .errors import InputError

__all__ = ["available_bytes", "format_bytes", "require_memory"]

_UNITS = ("bytes", "kB", "MB", "GB", "TB")
#: Needs below this are not checked: asking the system costs more than such a
#: run's set-up, and a machine without this much to spare fails anyway.
UNCHECKED_BYTES = 64 * 10**6


def available_bytes() -> int:
    """Memory available to new allocations now, in bytes (psutil's ``available``)."""
    return int(psutil.virtual_memory().available)


def format_bytes(n: int | float) -> str:
    """A byte count for people: ``'640 MB'``, ``'1.2 GB'`` (powers of 1000).

    Examples
    --------
    >>> format_bytes(0), format_bytes(999), format_bytes(1_200_000_000)
    ('0 bytes', '999 bytes', '1.2 GB')
    """
    value = float(n)
    unit = 0
    while abs(value) >= 1000 and unit < len(_UNITS) - 1:
        value /= 1000
        unit += 1
    if unit == 0:
        return f"{int(value)} bytes"
    return f"{value:,.1f} {_UNITS[unit]}" if value < 100 else f"{value:,.0f} {_UNITS[unit]}"


def require_memory(needed: int | float, what: str, hint: str = "") -> None:
    """Raise :class:`InputError` if ``needed`` bytes exceed the available memory.

    Parameters
    ----------
    needed
        Estimated peak bytes of the computation (may be a float, even inf).
    what
        What needs it, as the start of a sentence: ``"A network of 50,000,000
        employees with mean degree 10,000"``.
    hint
        What the user can do instead, appended to the message.

    Raises
    ------
    InputError
        ``"<what> needs about <needed> of memory, but only <available> is
        available. <hint>"``
    """
    if math.isfinite(needed) and needed < UNCHECKED_BYTES:
        return
    available = available_bytes()
    if not math.isfinite(needed) or needed > available:
        size = format_bytes(needed) if math.isfinite(needed) else "unboundedly much"
        tail = f" {hint}" if hint else ""
        raise InputError(
            f"{what} needs about {size} of memory, but only {format_bytes(available)} "
            f"is available.{tail}"
        )
