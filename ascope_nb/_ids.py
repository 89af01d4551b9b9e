"""Fast unique ids and timestamps (ids are 22 url-safe characters, like shortuuid's length)."""

from __future__ import annotations

import base64
import os
from datetime import datetime


def new_id() -> str:
    """A random id of 22 letters and digits (about 127 bits).

    Only ``[A-Za-z0-9]``: an id never starts with ``-`` (a command line would read it as an
    option) and is safe in file names, URLs and CSS selectors.
    """
    return base64.b64encode(os.urandom(16), altchars=b"Xy")[:22].decode("ascii")


def timestamp() -> str:
    """Local time as ``YYYY-MM-DD HH:MM:SS.mmm`` (AgentScope's format)."""
    return datetime.now().isoformat(sep=" ", timespec="milliseconds")
