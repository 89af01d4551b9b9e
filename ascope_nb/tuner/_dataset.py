"""The tasks to train or evaluate on (``DatasetConfig``): a Hugging Face ``datasets`` source."""

from __future__ import annotations

import json
from itertools import islice
from typing import Any

from pydantic import Field

from ..exceptions import ConfigError
from ._base import OneLineModel


class DatasetConfig(OneLineModel):
    """Where the tasks are: anything ``datasets.load_dataset(path, name, split)`` reads.

    A local folder of ``train.jsonl`` files works, and so do this project's exports
    (``ascope_nb.export``). Each row is one ``task`` handed to the workflow function.

    Example:
        >>> cfg = DatasetConfig(path="exports/math", total_steps=20)
        >>> cfg.split, cfg.total_epochs
        ('train', 1)
    """

    path: str = Field(min_length=1, description="Dataset folder, file or hub id.")
    name: str | None = Field(default=None, description="Dataset configuration name.")
    split: str | None = Field(default="train", description="Split to read.")
    total_epochs: int = Field(default=1, ge=1, description="Passes over the dataset.")
    total_steps: int | None = Field(default=None, ge=1, description="Overrides total_epochs.")

    def preview(self, n: int = 5) -> list[dict[str, Any]]:
        """Print and return the first ``n`` rows, streamed (the dataset is not downloaded whole).

        Raises ``FileNotFoundError`` when nothing is at ``path`` and ``ConfigError`` (a
        ``ValueError``) for an unknown split, each as one line naming the dataset.
        """
        try:
            from datasets import load_dataset
        except ImportError as exc:
            raise ImportError(
                "DatasetConfig.preview needs the `datasets` package: pip install 'ascope-nb[hf]'"
            ) from exc
        where = f"dataset {self.path!r}" + (f" ({self.name})" if self.name else "")
        try:
            rows = list(
                islice(
                    load_dataset(path=self.path, name=self.name, split=self.split, streaming=True),
                    n,
                )
            )
        except FileNotFoundError as exc:
            raise FileNotFoundError(f"{where} not found: {_first_line(exc)}") from None
        except ValueError as exc:
            raise ConfigError(f"{where}, split {self.split!r}: {_first_line(exc)}") from None
        print(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
        return rows


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
