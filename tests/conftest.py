"""Shared test settings: no test may reach a model outside this machine."""

from __future__ import annotations

import os

os.environ["ASCOPE_BLOCK_REMOTE_MODELS"] = "1"  # inherited by kernels and subprocesses too
