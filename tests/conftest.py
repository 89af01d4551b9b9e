"""Shared test settings: no test may reach a model outside this machine, and runs are
stored in a throwaway folder, never in the repository's own ``.ascope/``; the ``server``
fixture (a scripted ``FakeOpenAIServer`` on 127.0.0.1) for the model tests."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ascope_nb.testing.openai_server import FakeOpenAIServer

os.environ["ASCOPE_BLOCK_REMOTE_MODELS"] = "1"  # inherited by kernels and subprocesses too
os.environ.setdefault(
    "ASCOPE_STORE", os.path.join(tempfile.mkdtemp(prefix="ascope-tests-"), "runs.sqlite")
)
os.environ["ASCOPE_MODEL"] = "demo"  # deterministic default; the real local model has its own test


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    """A running ``FakeOpenAIServer`` with no replies scripted yet (``server.add_reply``)."""
    from ascope_nb.testing.openai_server import FakeOpenAIServer

    with FakeOpenAIServer() as srv:
        yield srv
