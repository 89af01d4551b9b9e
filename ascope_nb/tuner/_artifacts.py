"""Trained adapters kept as versioned artifacts beside the run store.

Layout (``.ascope/adapters`` next to ``.ascope/runs.sqlite``, or ``$ASCOPE_ADAPTERS``)::

    adapters/<name>/v1/manifest.json     what was trained, on what, and how it ended
    adapters/<name>/v1/train/            the backend's output_dir (adapter, checkpoint)
    adapters/<name>/v1/dataset.jsonl     the exact rows trained on (sha256 in the manifest)

A version directory is reserved with ``mkdir`` (atomic: two trainings never share one) and
its manifest is replaced atomically, so an existing version is never overwritten. A
stopped training is kept as a version with ``status="stopped"`` and a checkpoint; resuming
it trains into the next version whose manifest names it as ``parent``.

Example:
    >>> import tempfile
    >>> adapters = AdapterStore(tempfile.mkdtemp())
    >>> draft = adapters.reserve("tool-fix")
    >>> draft.version, adapters.reserve("tool-fix").version
    ('v1', 'v2')
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..exceptions import ConfigError

ENV_VAR = "ASCOPE_ADAPTERS"
MANIFEST = "manifest.json"
SCHEMA = "ascope.adapter/1"
ArtifactStatus = Literal["training", "stopped", "completed", "error"]
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_VERSION = re.compile(r"^v([1-9][0-9]*)$")


class AdapterError(ConfigError):
    """An adapter artifact is missing, corrupt or cannot be written (one line names it)."""


class AdapterWarning(UserWarning):
    """A version directory was skipped while listing (its manifest is unreadable)."""


def default_adapter_root() -> Path:
    """``$ASCOPE_ADAPTERS``, else ``adapters/`` beside the run store's SQLite file (for a
    database URL: ``.ascope/adapters`` under the working directory).

    Example:
        >>> default_adapter_root().name
        'adapters'
    """
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    from ..store import default_store_target

    target = default_store_target()
    if "://" in target or target == ":memory:":
        return Path.cwd() / ".ascope" / "adapters"
    return Path(target).resolve().parent / "adapters"


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The sha256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class AdapterArtifact:
    """One version of a trained adapter: where it lives and its manifest.

    ``adapter_dir`` is what a server loads (the backend's adapter); ``checkpoint_dir`` is
    where a stopped training continues from (None once completed without one).
    """

    name: str
    version: str
    path: Path
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``name:version`` (how ``%tune`` and the progress view name it)."""
        return f"{self.name}:{self.version}"

    @property
    def status(self) -> str:
        return str(self.manifest.get("status", "training"))

    @property
    def train_dir(self) -> Path:
        return self.path / "train"

    @property
    def adapter_dir(self) -> Path | None:
        value = self.manifest.get("adapter_dir")
        return self.path / value if value else None

    @property
    def checkpoint_dir(self) -> Path | None:
        value = self.manifest.get("checkpoint_dir")
        return self.path / value if value else None

    @property
    def resumable(self) -> bool:
        """A stopped training whose checkpoint is still on disk."""
        ckpt = self.checkpoint_dir
        return self.status == "stopped" and ckpt is not None and ckpt.exists()

    def relative(self, path: Path | None) -> str | None:
        """``path`` relative to this version's directory (manifests never hold absolute
        paths, so the adapters folder can be moved)."""
        if path is None:
            return None
        try:
            return str(Path(path).resolve().relative_to(self.path.resolve()))
        except ValueError:
            return str(path)

    def write_manifest(self, **fields: Any) -> None:
        """Merge ``fields`` into the manifest and replace the file atomically."""
        self.manifest.update(fields)
        fd, tmp = tempfile.mkstemp(prefix=".manifest.", suffix=".tmp", dir=self.path)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self.manifest, fh, indent=2, sort_keys=True, default=str)
            os.replace(tmp, self.path / MANIFEST)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def __repr__(self) -> str:
        loss = self.manifest.get("final_loss")
        shown = f", final_loss={loss:.4g}" if isinstance(loss, (int, float)) else ""
        steps = self.manifest.get("steps")
        return f"AdapterArtifact({self.label!r}, status={self.status!r}, steps={steps}{shown})"


class AdapterStore:
    """The versioned adapters under one folder: ``reserve`` / ``list`` / ``load`` / ``delete``.

    Example:
        >>> import tempfile
        >>> store = AdapterStore(tempfile.mkdtemp())
        >>> draft = store.reserve("fix", base_model="m", method="sft")
        >>> draft.write_manifest(status="completed", steps=3)
        >>> [a.label for a in store.list()], store.load("fix").manifest["steps"]
        (['fix:v1'], 3)
    """

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root) if root is not None else default_adapter_root()

    def _dir(self, name: str) -> Path:
        check_name(name)
        return self.root / name

    def versions(self, name: str) -> list[str]:
        """The version directories of ``name`` in order (``v1``, ``v2``, ...)."""
        folder = self._dir(name)
        if not folder.is_dir():
            return []
        found = [
            (int(m.group(1)), p.name) for p in folder.iterdir() if (m := _VERSION.match(p.name))
        ]
        return [v for _, v in sorted(found)]

    def reserve(self, name: str, **manifest: Any) -> AdapterArtifact:
        """Create the next version of ``name`` (never an existing one) with its manifest
        (``status="training"`` until the training ends)."""
        folder = self._dir(name)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AdapterError(
                f"cannot create adapter folder {str(folder)!r}: {exc.strerror}"
            ) from None
        existing = self.versions(name)
        number = int(existing[-1][1:]) + 1 if existing else 1
        while True:
            path = folder / f"v{number}"
            try:
                path.mkdir()  # atomic: a concurrent reserve gets the next number
                break
            except FileExistsError:
                number += 1
            except OSError as exc:
                raise AdapterError(f"cannot create adapter {str(path)!r}: {exc.strerror}") from None
        artifact = AdapterArtifact(name, f"v{number}", path)
        artifact.write_manifest(
            schema=SCHEMA, name=name, version=artifact.version, status="training",
            created=time.time(), **manifest,
        )  # fmt: skip
        return artifact

    def load(self, name: str, version: str | None = None) -> AdapterArtifact:
        """One version (the newest when ``version`` is None); a missing or corrupt one is
        one ``AdapterError`` line naming the manifest."""
        versions = self.versions(name)
        if not versions:
            raise AdapterError(f"no adapter named {name!r} in {str(self.root)!r}")
        version = version or versions[-1]
        if version not in versions:
            raise AdapterError(
                f"adapter {name!r} has no version {version!r} (it has {', '.join(versions)})"
            )
        return self._read(name, version)

    def _read(self, name: str, version: str) -> AdapterArtifact:
        path = self.root / name / version
        manifest_path = path / MANIFEST
        try:
            data = json.loads(manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise AdapterError(
                f"adapter {name}:{version}: {str(manifest_path)!r} is missing"
            ) from None
        except (OSError, ValueError) as exc:
            raise AdapterError(
                f"adapter {name}:{version}: manifest {str(manifest_path)!r} is unreadable ({exc})"
            ) from None
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise AdapterError(
                f"adapter {name}:{version}: manifest {str(manifest_path)!r} is not an "
                f"{SCHEMA} manifest"
            )
        return AdapterArtifact(name, version, path, data)

    def list(self, name: str | None = None) -> list[AdapterArtifact]:
        """Every readable version (of ``name``, or of all names), oldest first per name;
        an unreadable manifest is skipped with one ``AdapterWarning`` line."""
        if name is not None:
            names = [name]
        elif self.root.is_dir():
            names = sorted(
                p.name for p in self.root.iterdir() if p.is_dir() and _NAME.match(p.name)
            )
        else:
            names = []
        out: list[AdapterArtifact] = []
        for each in names:
            for version in self.versions(each):
                try:
                    out.append(self._read(each, version))
                except AdapterError as exc:
                    warnings.warn(str(exc), AdapterWarning, stacklevel=2)
        return out

    def latest_resumable(self, name: str) -> AdapterArtifact | None:
        """The newest version of ``name`` if it is a stopped training with a checkpoint."""
        versions = self.versions(name)
        if not versions:
            return None
        artifact = self._read(name, versions[-1])
        return artifact if artifact.resumable else None

    def delete(self, name: str, version: str) -> None:
        """Remove one version (its files and manifest)."""
        artifact = self.load(name, version)
        shutil.rmtree(artifact.path)

    def to_dataframe(self, name: str | None = None) -> Any:
        """One row per version: name, version, status, method, steps, final loss, parent."""
        import pandas as pd

        keys = ("method", "base_model", "steps", "total_steps", "final_loss", "parent", "samples")
        frame = pd.DataFrame(
            [
                {"name": a.name, "version": a.version, "status": a.status,
                 **{k: a.manifest.get(k) for k in keys}, "created": a.manifest.get("created")}
                for a in self.list(name)
            ],
            columns=["name", "version", "status", *keys, "created"],
        )  # fmt: skip
        frame["parent"] = frame["parent"].fillna("")
        frame["created"] = pd.to_datetime(frame["created"], unit="s").dt.strftime(
            "%Y-%m-%d %H:%M:%S"
        )
        return frame

    def __repr__(self) -> str:
        return f"AdapterStore({str(self.root)!r})"


def check_name(name: str) -> str:
    """``name`` if it can name an adapter folder (letters, digits, ``_.-``), else one line."""
    if not isinstance(name, str) or not _NAME.match(name) or name in (".", ".."):
        raise AdapterError(
            f"adapter name {name!r} must be 1-100 letters, digits, '_', '.' or '-' "
            "(starting with a letter or digit)"
        )
    return name


__all__ = [
    "AdapterArtifact",
    "AdapterError",
    "AdapterStore",
    "AdapterWarning",
    "ArtifactStatus",
    "default_adapter_root",
    "file_sha256",
]
