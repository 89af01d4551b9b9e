"""The formatter's per-step caches give exactly what a fresh formatter gives."""

from __future__ import annotations

from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.message import Msg


def _history(n: int) -> list[Msg]:
    msgs: list[Msg] = [Msg("system", "You are Friday.", "system")]
    for i in range(n):
        msgs.append(
            Msg(
                "Friday",
                [
                    {"type": "text", "text": f"step {i}"},
                    {"type": "tool_use", "id": f"c{i}", "name": "add", "input": {"a": i}},
                ],
                "assistant",
            )
        )
        msgs.append(
            Msg(
                "system",
                [
                    {
                        "type": "tool_result",
                        "id": f"c{i}",
                        "name": "add",
                        "output": [{"type": "text", "text": str(i)}],
                    }
                ],
                "system",
            )
        )
    return msgs


async def test_growing_history_matches_fresh_format() -> None:
    cached = OpenAIChatFormatter()
    history = _history(30)
    for end in range(1, len(history) + 1):
        assert await cached.format(history[:end]) == await OpenAIChatFormatter().format(
            history[:end]
        )


async def test_changed_prefix_and_replaced_content_are_not_served_stale() -> None:
    formatter = OpenAIChatFormatter()
    history = _history(3)
    await formatter.format(history)
    other = _history(2)  # a different conversation through the same formatter
    assert await formatter.format(other) == await OpenAIChatFormatter().format(other)
    history[1].content = [{"type": "text", "text": "rewritten"}]  # new content object
    assert await formatter.format(history) == await OpenAIChatFormatter().format(history)
    assert (await formatter.format(history))[1]["content"] == [
        {"type": "text", "text": "rewritten"}
    ]


async def test_rewritten_message_in_the_same_history_is_reformatted() -> None:
    formatter = OpenAIChatFormatter()
    history = _history(3)
    await formatter.format(history)
    history[1].content = [{"type": "text", "text": "rewritten"}]
    assert (await formatter.format(history))[1]["content"] == [
        {"type": "text", "text": "rewritten"}
    ]


async def test_a_copy_keeps_the_settings_and_has_a_memo_of_its_own() -> None:
    import copy

    original = OpenAIChatFormatter(promote_tool_result_images=True, max_tokens=500)
    msg = Msg("user", "Hi", "user")
    await original.format([msg])
    twin = copy.copy(original)
    assert (twin.promote_tool_result_images, twin.max_tokens) == (True, 500)
    assert twin._converted == {} and twin._converted is not original._converted
    assert await twin.format([msg]) == await original.format([msg])
    await twin.format([Msg("user", "Only the copy saw this", "user")])
    assert len(original._converted) == 1 and len(twin._converted) == 2
