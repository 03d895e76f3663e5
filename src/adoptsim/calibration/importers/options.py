"""How to import an export: the channel to observe, the counting rules and the pseudonyms."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...errors import InputError, reject_nul

__all__ = ["DEFAULT_MAX_THREAD_SIZE", "DEFAULT_WINDOW", "ImportOptions", "check_salt_file"]

#: Weeks a post keeps its poster active (the model's ``posting.window``).
DEFAULT_WINDOW = 12
#: Largest number of repliers of a thread whose pairs count as ties.
DEFAULT_MAX_THREAD_SIZE = 20


@dataclass(frozen=True)
class ImportOptions:
    """How to import an export (see the module notes for each output).

    Attributes
    ----------
    where
        Name or id of the channel or group to observe; None picks the one
        with the most posts.
    window
        Weeks a post keeps its poster active.
    ties_from
        ``"all"`` conversations, or ``"other"`` than the chosen one.
    max_thread_size
        Threads with more repliers give no co-participation ties; 0: none do.
    salt
        Key of the pseudonyms; None draws a random one.
    keep_salt
        File to write the salt to (nowhere if None).
    keep_names
        Write the export's user ids instead of pseudonyms.
    """

    where: str | None = None
    window: int = DEFAULT_WINDOW
    ties_from: str = "all"
    max_thread_size: int = DEFAULT_MAX_THREAD_SIZE
    salt: str | None = None
    keep_salt: Path | None = None
    keep_names: bool = False

    def check(self) -> None:
        """Raise InputError for a value out of range or options that contradict each other."""
        if self.window < 1:
            raise InputError(
                f"--window {self.window} is not allowed; give the number of weeks a post keeps "
                f"its poster active (at least 1; the model's default is {DEFAULT_WINDOW})."
            )
        if self.max_thread_size < 0:
            raise InputError(
                f"--max-thread-size {self.max_thread_size} is not allowed; give 0 (no thread "
                f"ties) or more."
            )
        if self.ties_from not in ("all", "other"):
            raise InputError(f"--ties {self.ties_from!r} is not allowed; use 'all' or 'other'.")
        if self.keep_names and (self.salt is not None or self.keep_salt is not None):
            raise InputError(
                "--keep-names writes the export's user ids, so --salt and --keep-salt have "
                "nothing to do; give either --keep-names or the salt options."
            )
        if self.salt is not None and not self.salt:
            raise InputError(
                "--salt is empty; give a secret text, or leave it out for a random one."
            )


def check_salt_file(path: Path) -> Path:
    """Check that the salt can be written to ``path`` (a file, in an existing folder)."""
    file = Path(reject_nul(path, "--keep-salt"))
    if file.is_dir():
        raise InputError(f"--keep-salt {file} is a folder; give the file to write the salt to.")
    if not file.parent.is_dir():
        raise InputError(
            f"--keep-salt {file}: the folder {file.parent} does not exist; give a file in an "
            f"existing folder."
        )
    return file
