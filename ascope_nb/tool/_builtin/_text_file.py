"""Text file tools: ``view_text_file``, ``write_text_file``, ``insert_text_file``.

They read and write the host file system directly with the kernel's permissions.
"""

from __future__ import annotations

import os

from ...message import TextBlock
from .._call import error_response
from .._response import ToolResponse

_CONTEXT_LINES = 5


def _ok(text: str) -> ToolResponse:
    return ToolResponse(content=[TextBlock(type="text", text=text)], metadata={"success": True})


def _read_lines(file_path: str) -> list[str]:
    with open(file_path, encoding="utf-8") as f:
        return f.readlines()


def _numbered(lines: list[str], first: int) -> str:
    """Lines prefixed with their numbers; a last line without newline stays so (AgentScope)."""
    return "".join(f"{first + i}: {line}" for i, line in enumerate(lines))


def _resolve_range(ranges: object, n_lines: int, file_path: str) -> tuple[int, int] | str:
    """1-based inclusive ``[start, end]``; negative numbers count from the end (-1: last line)."""
    if not (
        isinstance(ranges, list | tuple)
        and len(ranges) == 2
        and all(isinstance(i, int) and not isinstance(i, bool) for i in ranges)
    ):
        return (
            "InvalidArgumentError: Invalid range format. Expected a list of two integers, "
            f"but got {ranges!r}."
        )
    start, end = (i + n_lines + 1 if i < 0 else i for i in ranges)
    if start < 1 or start > end:
        return f"InvalidArgumentError: The range {list(ranges)} is invalid (start must be >= 1 and <= end)."
    if start > n_lines:
        return (
            f"InvalidArgumentError: The range '{list(ranges)}' is out of bounds for the file "
            f"{file_path!r}, which has only {n_lines} lines."
        )
    return start, min(end, n_lines)


def _check_file(file_path: str) -> ToolResponse | None:
    if not os.path.exists(file_path):
        return error_response(f"Error: The file {file_path} does not exist.")
    if not os.path.isfile(file_path):
        return error_response(f"Error: The path {file_path} is not a file.")
    return None


async def view_text_file(file_path: str, ranges: list[int] | None = None) -> ToolResponse:
    """View a text file with line numbers, optionally only some lines.

    Relative paths are from the kernel's working directory; any file the kernel's user may
    read can be read (restrict with ``--approve``).

    Args:
        file_path: The file to view.
        ranges: The lines to view, inclusive, e.g. ``[1, 100]``; ``[-100, -1]`` views the
            last 100 lines. The whole file if omitted.

    Example:
        >>> import asyncio, tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "a.txt")
        >>> _ = open(path, "w").write("x\\ny\\n")
        >>> asyncio.run(view_text_file(path, [2, 2])).content[0]["text"].splitlines()[2]
        '2: y'
    """
    file_path = os.path.expanduser(file_path)
    problem = _check_file(file_path)
    if problem is not None:
        return problem
    lines = _read_lines(file_path)
    if ranges is None:
        return _ok(f"The content of {file_path}:\n```\n{_numbered(lines, 1)}```")
    span = _resolve_range(ranges, len(lines), file_path)
    if isinstance(span, str):
        return error_response(span)
    start, end = span
    body = _numbered(lines[start - 1 : end], start)
    return _ok(f"The content of {file_path} in {list(ranges)} lines:\n```\n{body}```")


async def write_text_file(
    file_path: str, content: str, ranges: list[int] | None = None
) -> ToolResponse:
    """Create or overwrite a text file, or replace some of its lines.

    Relative paths are from the kernel's working directory; any file the kernel's user may
    write can be written (restrict with ``--approve``).

    Args:
        file_path: The file to write (parent folders are created).
        content: The text to write.
        ranges: The lines ``[start, end]`` (inclusive) to replace with ``content``; the whole
            file is overwritten if omitted.

    Example:
        >>> import asyncio, tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "a.txt")
        >>> asyncio.run(write_text_file(path, "hello\\n")).content[0]["text"].startswith("Create")
        True
    """
    file_path = os.path.expanduser(file_path)
    if os.path.isdir(file_path):
        return error_response(f"Error: The path {file_path} is a directory.")
    if not os.path.exists(file_path):
        os.makedirs(os.path.dirname(os.path.abspath(file_path)), exist_ok=True)
        with open(file_path, "w", encoding="utf-8") as f:
            f.write(content)
        note = f" The ranges {ranges} are ignored because the file did not exist." if ranges else ""
        return _ok(f"Create and write {file_path} successfully.{note}")
    if ranges is None:
        with open(file_path, "w", encoding="utf-8") as f:
            f.write(content)
        return _ok(f"Overwrite {file_path} successfully.")

    original = _read_lines(file_path)
    span = _resolve_range(ranges, len(original), file_path)
    if isinstance(span, str):
        return error_response(span)
    start, end = span
    replacement = content if content.endswith("\n") or end >= len(original) else content + "\n"
    with open(file_path, "w", encoding="utf-8") as f:
        f.write("".join(original[: start - 1]) + replacement + "".join(original[end:]))
    new = _read_lines(file_path)
    view_start = max(1, start - _CONTEXT_LINES)
    view_end = min(len(new), end + len(new) - len(original) + _CONTEXT_LINES)
    snippet = _numbered(new[view_start - 1 : view_end], view_start)
    return _ok(f"Write {file_path} successfully. The new content snippet:\n```\n{snippet}```")


async def insert_text_file(file_path: str, content: str, line_number: int) -> ToolResponse:
    """Insert text before a line of a text file.

    Relative paths are from the kernel's working directory; any file the kernel's user may
    write can be changed (restrict with ``--approve``).

    Args:
        file_path: The file to change.
        content: The text to insert.
        line_number: The 1-based line before which to insert; one past the last line appends.

    Example:
        >>> import asyncio, tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "a.txt")
        >>> _ = open(path, "w").write("b\\n")
        >>> _ = asyncio.run(insert_text_file(path, "a", 1))
        >>> open(path).read()
        'a\\nb\\n'
    """
    file_path = os.path.expanduser(file_path)
    problem = _check_file(file_path)
    if problem is not None:
        return problem
    original = _read_lines(file_path)
    if not 1 <= line_number <= len(original) + 1:
        return error_response(
            f"InvalidArgumentsError: The given line_number ({line_number}) is not in the valid "
            f"range [1, {len(original) + 1}]."
        )
    before = original[: line_number - 1]
    if before and not before[-1].endswith("\n"):
        before[-1] += "\n"
    # appending writes the content as given; inside the file it becomes whole lines
    at_end = line_number == len(original) + 1
    inserted = content if content.endswith("\n") or at_end else content + "\n"
    with open(file_path, "w", encoding="utf-8") as f:
        f.write("".join(before) + inserted + "".join(original[line_number - 1 :]))
    new = _read_lines(file_path)
    added = len(new) - len(original)
    view_start = max(1, line_number - _CONTEXT_LINES)
    # AgentScope's window: the changed lines plus one more, then the context
    view_end = min(len(new), line_number + added + _CONTEXT_LINES)
    snippet = _numbered(new[view_start - 1 : view_end], view_start)
    return _ok(
        f"Insert content into {file_path} at line {line_number} successfully. "
        f"The new content between lines {view_start}-{view_end} is:\n```\n{snippet}```"
    )
