"""The views read the one run fold (``ascope_nb.fold``); this module keeps their imports."""

from __future__ import annotations

from ..fold import RunFold, StepRecord, ToolCallRecord, block_text

__all__ = ["RunFold", "StepRecord", "ToolCallRecord", "block_text"]
