"""The small JSON written beside every adapter: what it was trained from and how far.

Example:
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = write_manifest(folder, base_model="m", method="sft", dataset_sha256="ab",
    ...                    steps=3, total_steps=3, final_loss=0.5, stopped=False)
    >>> read_manifest(folder)["steps"]
    3
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .._version import __version__
from ..exceptions import ConfigError

MANIFEST_NAME = "ascope_adapter.json"


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(folder: Path, **fields: Any) -> Path:
    """Write ``ascope_adapter.json`` into ``folder`` (with the time and ascope_nb's version)."""
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "ascope_nb": __version__,
        **fields,
    }
    path = folder / MANIFEST_NAME
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of an adapter folder (one ``ConfigError`` line when it has none)."""
    path = Path(folder) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{folder}: not an adapter folder (no {MANIFEST_NAME})") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: unreadable manifest ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: unreadable manifest (not a JSON object)")
    return data
