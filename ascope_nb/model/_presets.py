"""DashScope's OpenAI-compatible endpoint through ``OpenAIChatModel``.

``DashScopeChatModel`` uses ``CompatibleDashScope`` when given a compatible-mode URL.
"""

from __future__ import annotations

from typing import Any

from ._openai import OpenAIChatModel
from ._openai_errors import CallSite


class CompatibleDashScope(OpenAIChatModel):
    """``DashScopeChatModel`` on DashScope's OpenAI-compatible endpoint (``base_url`` given)."""

    key_env = "DASHSCOPE_API_KEY"

    def __init__(
        self, model_name: str, *, enable_thinking: bool | None = None, **kwargs: Any
    ) -> None:
        super().__init__(model_name, **kwargs)
        if enable_thinking is not None:  # sent with each request, not kept in generate_kwargs
            self._extra_body["enable_thinking"] = enable_thinking

    @property
    def _site(self) -> CallSite:
        return CallSite(f"DashScopeChatModel {self.model_name!r}", self.base_url, self.key_env)
