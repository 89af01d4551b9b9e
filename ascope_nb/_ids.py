"""Fast unique ids and timestamps (ids are 22 url-safe characters, like shortuuid's length)."""

from __future__ import annotations

import base64
import os
from datetime import datetime


def new_id() -> str:
    """A random 128-bit id as 22 url-safe characters."""
    return base64.urlsafe_b64encode(os.urandom(16))[:22].decode("ascii")


def timestamp() -> str:
    """Local time as ``YYYY-MM-DD HH:MM:SS.mmm`` (AgentScope's format)."""
    return datetime.now().isoformat(sep=" ", timespec="milliseconds")
