"""Opening a Milvus Lite database file: which milvus-lite is installed, clear errors, and
stopping its server when the last store on a file closes."""

from __future__ import annotations

import importlib.metadata
import threading
import warnings
from pathlib import Path
from typing import Any

from ..exceptions import ConfigError

FIX_2X = "pip install 'ascope-nb[milvus]' (milvus-lite 2.5.1 with setuptools<82)"
_open: dict[str, int] = {}  # resolved path -> stores open on it in this process
_guard = threading.Lock()


def local_db_path(uri: str) -> Path | None:
    """The file of a Milvus Lite ``uri`` (pymilvus treats ``*.db`` as one), else None."""
    return Path(uri).absolute() if uri.endswith(".db") else None


def milvus_lite_major() -> int:
    """The installed milvus-lite's major version (0 when it is not installed)."""
    try:
        return int(importlib.metadata.version("milvus-lite").split(".")[0])
    except importlib.metadata.PackageNotFoundError:
        return 0


def server_manager() -> Any:
    """milvus-lite's server manager, imported with one-line errors for the known breakages.

    milvus-lite 2.x imports ``pkg_resources``, which setuptools 82 removed; its deprecation
    warning is milvus-lite's business, not the user's, so it is silenced.
    """
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
            from milvus_lite.server_manager import server_manager_instance
    except ModuleNotFoundError as exc:
        if exc.name == "pkg_resources":
            raise ConfigError(
                "milvus-lite 2.x needs pkg_resources, which setuptools 82 removed: "
                "pip install 'setuptools<82'"
            ) from None
        raise ConfigError(f"MilvusLiteStore with a .db file needs milvus-lite: {FIX_2X}") from None
    return server_manager_instance


def open_local(path: Path) -> None:
    """Check that the installed milvus-lite can open ``path``, and count one store on it."""
    if not path.parent.is_dir():
        raise ConfigError(f"MilvusLiteStore: the folder {path.parent} does not exist")
    server_manager()
    major = milvus_lite_major()
    if major >= 3 and path.is_file():
        raise ConfigError(
            f"{path} is a milvus-lite 2.x database file; the installed milvus-lite {major}.x "
            f"keeps a folder and cannot open it: {FIX_2X}"
        )
    if 0 < major < 3 and path.is_dir():
        raise ConfigError(
            f"{path} is a milvus-lite 3.x database folder; the installed milvus-lite "
            f"{major}.x cannot open it: pip install 'milvus-lite>=3'"
        )
    with _guard:
        _open[str(path)] = _open.get(str(path), 0) + 1


def release_local(path: Path) -> None:
    """One store on ``path`` closed; the last one stops milvus-lite's server for the file
    (pymilvus never does, and the server holds the file's lock until it stops)."""
    with _guard:
        left = _open.get(str(path), 1) - 1
        if left > 0:
            _open[str(path)] = left
            return
        _open.pop(str(path), None)
    server_manager().release_server(str(path))
