r"""Errors that reach users as one clear paragraph instead of a traceback.

Examples
--------
>>> reject_nul("results/run", "--out")
'results/run'
>>> reject_nul("a\0b", "--out")
Traceback (most recent call last):
...
adoptsim.errors.InputError: --out 'a\x00b' contains a NUL byte (\x00), which no file name ...
"""

import os
from collections.abc import Callable
from typing import Any


class InputError(Exception):
    """Bad user input: a scenario, an experiment, an edge list or a missing file.

    The message is one paragraph naming the file, the key and what is allowed.
    The command line prints it and exits with status 2.
    """


class ScenarioWarning(UserWarning):
    """A scenario key that is accepted but no longer acts (named with its replacement).

    The command line prints it as one line, ``warning: <message>``.
    """


def reject_nul(path: str | os.PathLike[str], what: str) -> str:
    """Return ``path`` as text; raise :class:`InputError` if it holds a NUL byte.

    No file name can contain NUL, and the operating system refuses such a
    path with a bare ``ValueError``; this names the option or key instead.

    Parameters
    ----------
    path
        The path as given.
    what
        What gave it, e.g. ``"--out"`` or ``"the scenario"``.
    """
    text = os.fspath(path)
    if "\0" in text:
        raise InputError(
            f"{what} {text!r} contains a NUL byte (\\x00), which no file name can hold; "
            f"give the path without it."
        )
    return text


def allowed_range(low: Any, high: Any, low_open: bool = False, high_open: bool = False,
                  show: Callable[[Any], str] = str) -> str:
    """An allowed range in words for a message: ``>= 1``, ``< 5``, ``(0.0, 1.0]``.

    ``''`` when neither bound is given; ``show`` writes a bound.

    >>> allowed_range(0.0, 1.0), allowed_range(0, None, low_open=True), allowed_range(None, None)
    ('[0.0, 1.0]', '> 0', '')
    """
    if low is None and high is None:
        return ""
    if high is None:
        return f"{'>' if low_open else '>='} {show(low)}"
    if low is None:
        return f"{'<' if high_open else '<='} {show(high)}"
    return f"{'(' if low_open else '['}{show(low)}, {show(high)}{')' if high_open else ']'}"
