"""Embedding caches: skip the model for inputs already embedded (AgentScope 1.x API)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

from ._response import Embedding

logger = logging.getLogger(__name__)


class EmbeddingCacheBase(ABC):
    """Stores vectors under a JSON-serialisable identifier (the request)."""

    @abstractmethod
    async def store(
        self, embeddings: list[Embedding], identifier: Any, overwrite: bool = False, **kwargs: Any
    ) -> None:
        """Keep ``embeddings`` under ``identifier`` (replace an existing entry if ``overwrite``)."""

    @abstractmethod
    async def retrieve(self, identifier: Any) -> list[Embedding] | None:
        """The vectors stored under ``identifier``, or ``None``."""

    @abstractmethod
    async def remove(self, identifier: Any) -> None:
        """Drop the entry for ``identifier``."""

    @abstractmethod
    async def clear(self) -> None:
        """Drop every entry."""


class FileEmbeddingCache(EmbeddingCacheBase):
    """One ``.npy`` file per request, named by the sha256 of the request's JSON.

    Args:
        cache_dir: The folder (created on first use).
        max_file_number: Keep at most this many files (oldest removed first).
        max_cache_size: Keep the folder under this many MB (oldest removed first).

    Example:
        >>> import asyncio, tempfile
        >>> cache = FileEmbeddingCache(cache_dir=tempfile.mkdtemp())
        >>> asyncio.run(cache.store([[1.0, 2.0]], {"model": "m", "input": ["hi"]}))
        >>> asyncio.run(cache.retrieve({"model": "m", "input": ["hi"]}))
        [[1.0, 2.0]]
    """

    def __init__(
        self,
        cache_dir: str = "./.cache/embeddings",
        max_file_number: int | None = None,
        max_cache_size: int | None = None,
    ) -> None:
        self._cache_dir = os.path.abspath(cache_dir)
        self.max_file_number = max_file_number
        self.max_cache_size = max_cache_size

    @property
    def cache_dir(self) -> str:
        """The folder holding the ``.npy`` files (created if missing)."""
        os.makedirs(self._cache_dir, exist_ok=True)
        return self._cache_dir

    @staticmethod
    def _filename(identifier: Any) -> str:
        text = json.dumps(identifier, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest() + ".npy"

    def _path(self, identifier: Any) -> Path:
        return Path(self.cache_dir) / self._filename(identifier)

    async def store(
        self, embeddings: list[Embedding], identifier: Any, overwrite: bool = False, **kwargs: Any
    ) -> None:
        import numpy as np

        path = self._path(identifier)
        if path.exists() and not path.is_file():
            raise RuntimeError(f"embedding cache path {str(path)!r} exists and is not a file")
        if path.exists() and not overwrite:
            return
        np.save(path, np.asarray(embeddings))
        self._trim()

    async def retrieve(self, identifier: Any) -> list[Embedding] | None:
        import numpy as np

        path = self._path(identifier)
        if not path.is_file():
            return None
        try:
            loaded: list[Embedding] = np.load(path).tolist()
        except (OSError, ValueError) as exc:
            logger.warning("embedding cache file %s is unreadable (%s): ignoring it", path, exc)
            path.unlink(missing_ok=True)
            return None
        return loaded

    async def remove(self, identifier: Any) -> None:
        path = self._path(identifier)
        if not path.exists():
            raise FileNotFoundError(f"no cached embeddings at {str(path)!r}")
        path.unlink()

    async def clear(self) -> None:
        for path in Path(self.cache_dir).glob("*.npy"):
            path.unlink()

    def _files(self) -> list[Path]:
        files = [p for p in Path(self.cache_dir).glob("*.npy") if p.is_file()]
        return sorted(files, key=lambda p: p.stat().st_mtime)

    def _trim(self) -> None:
        files = self._files()
        if self.max_file_number and len(files) > self.max_file_number:
            for path in files[: len(files) - self.max_file_number]:
                path.unlink()
            files = files[len(files) - self.max_file_number :]
        if self.max_cache_size is not None:
            limit = self.max_cache_size * 1024 * 1024
            size = sum(p.stat().st_size for p in files)
            for path in files:
                if size <= limit:
                    break
                size -= path.stat().st_size
                path.unlink()
