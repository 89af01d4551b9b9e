"""The self-contained HTML transcript: parsed as a person's browser would, not string-matched."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from fixture_runs import FINAL_TEXT, USER_TEXT, hub_run, react_run, wire

from ascope_nb.views._html import agent_color, hub_html, memory_html, run_html


class Tree(HTMLParser):
    """A tiny DOM: elements with tag, attrs, children and text."""

    VOID = {"img", "br", "input", "meta", "hr"}

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root: dict[str, Any] = {"tag": "root", "attrs": {}, "children": [], "text": ""}
        self.stack = [self.root]
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = {"tag": tag, "attrs": dict(attrs), "children": [], "text": ""}
        self.stack[-1]["children"].append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        while len(self.stack) > 1:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data: str) -> None:
        self.stack[-1]["text"] += data
        self.stack[-1]["children"].append(data)

    def find(self, tag: str, node: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        node = node or self.root
        out = []
        for c in node["children"]:
            if isinstance(c, dict):
                if c["tag"] == tag:
                    out.append(c)
                out.extend(self.find(tag, c))
        return out


def text_of(node: dict[str, Any]) -> str:
    return "".join(c if isinstance(c, str) else text_of(c) for c in node["children"])


def test_every_step_is_a_details_with_its_content() -> None:
    tree = Tree(run_html(wire(react_run())))
    details = tree.find("details")
    assert len(details) == 3
    heads = [text_of(tree.find("summary", d)[0]) for d in details]
    assert [h.split(" ")[:4] for h in heads] == [["Friday", "·", "step", str(i)] for i in (1, 2, 3)]
    step1 = text_of(details[0])
    assert "get_weather" in step1 and '"city": "Paris"' in step1 and "Sunny, 21 °C" in step1
    step2 = text_of(details[1])
    assert "run_python" in step2 and "[edited]" in step2 and "round(" in step2  # edited args shown
    assert tree.find("img", details[1])[0]["attrs"]["src"].startswith("data:image/png;base64,")
    assert FINAL_TEXT in text_of(details[2])
    assert [("open" in d["attrs"]) for d in details] == [False, False, True]
    assert [c["tag"] for c in tree.root["children"] if isinstance(c, dict)] == ["style", "div"]


def test_content_is_escaped() -> None:
    html = run_html(wire(react_run()))
    tree = Tree(html)
    assert tree.find("script") == []
    assert USER_TEXT in text_of(tree.root)  # shown as text, not run
    events = wire(react_run())
    events[0]["title"] = "<img src=x onerror=alert(1)>"
    tree = Tree(run_html(events))
    assert all(i["attrs"].get("src", "").startswith("data:image/png") for i in tree.find("img"))


def test_unsafe_image_sources_are_dropped() -> None:
    events = wire(react_run())
    for ev in events:
        if ev["kind"] == "tool_result" and ev["tool_call_id"] == "call_2":
            ev["output"][1]["source"] = {"type": "url", "url": "javascript:alert(1)"}
    assert Tree(run_html(events)).find("img") == []


def test_header_has_status_and_totals() -> None:
    tree = Tree(run_html(wire(react_run()), title="Weather run"))
    header = tree.find("div")[1]
    assert text_of(header).startswith("Weather run")
    badge = [s for s in tree.find("span", header) if "badge" in s["attrs"].get("class", "")]
    assert text_of(badge[0]) == "completed"
    assert "3 steps" in text_of(header) and "480→65 tok" in text_of(header)


def test_hub_transcript_colours_agents() -> None:
    tree = Tree(hub_html(wire(hub_run()), title="dinner"))
    names = {text_of(b): b["attrs"]["style"] for b in tree.find("b") if b["attrs"].get("style")}
    assert set(names) == {"host", "Alice", "Bob"}
    assert names["Alice"] == f"color:{agent_color('Alice')}"
    assert agent_color("Alice") != agent_color("Bob")
    assert "<b>restaurant</b>" in text_of(tree.root)


def test_memory_table_rows_and_escaping() -> None:
    rows = [
        {
            "index": 0,
            "name": "user",
            "role": "user",
            "text": "<script>x</script>",
            "marks": ["hint"],
            "timestamp": "t0",
        },
        {
            "index": 1,
            "name": "Friday",
            "role": "assistant",
            "text": "hi",
            "marks": [],
            "timestamp": "t1",
        },
    ]
    tree = Tree(memory_html(rows))
    assert tree.find("script") == []
    cells = [[text_of(td) for td in tree.find("td", tr)] for tr in tree.find("tr")[1:]]
    assert cells == [
        ["0", "user", "user", "<script>x</script>", "hint", "t0"],
        ["1", "Friday", "assistant", "hi", "", "t1"],
    ]
