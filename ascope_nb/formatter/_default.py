"""``formatter_for_model``: the chat formatter a model family expects, when none is given."""

from __future__ import annotations

from typing import Any

from ._base import FormatterBase

_BY_MODEL = {
    "AnthropicChatModel": "AnthropicChatFormatter",
    "GeminiChatModel": "GeminiChatFormatter",
    "OpenAIResponseModel": "OpenAIResponseChatFormatter",
}


def formatter_for_model(model: Any) -> FormatterBase:
    """A new formatter for ``model``: its ``formatter_name`` attribute (e.g. set by the
    ``deepseek:`` spec), else by its class (Anthropic, Gemini, Responses), else OpenAI's
    (which the OpenAI-compatible, DashScope and Ollama models all take).

    Example:
        >>> from ascope_nb.testing import ScriptedModel
        >>> type(formatter_for_model(ScriptedModel(["hi"]))).__name__
        'OpenAIChatFormatter'
    """
    from .. import formatter as formatters

    name = getattr(model, "formatter_name", None)
    if not isinstance(name, str):
        name = next(
            (_BY_MODEL[c.__name__] for c in type(model).__mro__ if c.__name__ in _BY_MODEL),
            "OpenAIChatFormatter",
        )
    cls = getattr(formatters, name, formatters.OpenAIChatFormatter)
    result: FormatterBase = cls()
    return result
