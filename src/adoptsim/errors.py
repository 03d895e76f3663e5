"""Errors that reach users as one clear paragraph instead of a traceback."""

import os


class InputError(Exception):
    """Bad user input: a scenario, an experiment, an edge list or a missing file.

    The message is one paragraph naming the file, the key and what is allowed.
    The command line prints it and exits with status 2.
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
