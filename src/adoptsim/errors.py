"""Errors that reach users as one clear paragraph instead of a traceback."""


class InputError(Exception):
    """Bad user input: a scenario, an experiment, an edge list or a missing file.

    The message is one paragraph naming the file, the key and what is allowed.
    The command line prints it and exits with status 2.
    """
