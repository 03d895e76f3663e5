"""Pseudonyms: a salted hash of each export user id, as short as stays one to one."""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["pseudonyms"]


def pseudonyms(ids: list[str], salt: str) -> dict[str, str]:
    """Map each id to ``p`` + hex digits of HMAC-SHA256(salt, id), as short as unique.

    Twelve hex digits (48 bits) unless two ids collide there, then 16, 24
    or all 64, so the mapping is always one to one.
    """
    digests = {i: hmac.new(salt.encode(), i.encode(), hashlib.sha256).hexdigest() for i in ids}
    for length in (12, 16, 24, 64):
        names = {i: "p" + d[:length] for i, d in digests.items()}
        if len(set(names.values())) == len(names):
            return names
    raise AssertionError("distinct ids with equal SHA-256 digests")  # pragma: no cover
