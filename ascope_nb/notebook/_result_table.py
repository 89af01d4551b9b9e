"""A small result table for the knowledge magics: HTML in a notebook, plain text for consoles
and nbval, redacted on creation (indexed files may hold keys).

Example:
    >>> ResultTable("t", ["a"], [[1]])
    t
    1
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any


@dataclass
class ResultTable:
    """Rows shown as an HTML table (and a plain-text one for consoles and nbval)."""

    title: str
    columns: list[str]
    rows: list[list[Any]]

    def __post_init__(self) -> None:  # indexed files may hold keys: never shown in a cell
        from ..redact import redact

        self.title, self.rows = redact(self.title), redact(self.rows)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
            for row in self.rows
        )
        return (
            f"<div><b>{html.escape(self.title)}</b><table class='ascope-knowledge-table'>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
        )

    def __repr__(self) -> str:
        lines = [self.title]
        for row in self.rows:
            lines.append(" | ".join(str(v).replace("\n", " ")[:120] for v in row))
        return "\n".join(lines)
