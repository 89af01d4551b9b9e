"""Shared test settings: no test may reach a model outside this machine, and runs are
stored in a throwaway folder, never in the repository's own ``.ascope/``."""

from __future__ import annotations

import os
import tempfile

os.environ["ASCOPE_BLOCK_REMOTE_MODELS"] = "1"  # inherited by kernels and subprocesses too
os.environ.setdefault(
    "ASCOPE_STORE", os.path.join(tempfile.mkdtemp(prefix="ascope-tests-"), "runs.sqlite")
)
os.environ["ASCOPE_MODEL"] = "demo"  # deterministic default; the real local model has its own test
