"""The Excel reader (``openpyxl``): each sheet as a table (Markdown or JSON) plus its pictures.

As in AgentScope 1.x, a sheet's first row is taken as its column header and left out of the
table (the table is the data rows); cell coordinates count the data rows from 1.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from typing import Any

from ._document import Document
from ._office import TableFormat, block_documents, check_table_format
from ._pptx import media_type
from ._reader import ReaderBase, TextReader, need, reading
from ._split import SplitBy, check


def column_name(index: int) -> str:
    """``0 -> "A"``, ``25 -> "Z"``, ``26 -> "AA"``."""
    name, index = "", index + 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        value = value.date()
    return str(value).strip().replace("\r\n", "\n").replace("\r", "\n")


class ExcelReader(ReaderBase):
    """Chunks an ``.xlsx`` workbook, sheet by sheet.

    Args:
        chunk_size: The most characters in one text chunk.
        split_by: ``"char"``, ``"sentence"`` or ``"paragraph"``.
        include_sheet_names: Start each sheet's table with ``Sheet: NAME``.
        include_cell_coordinates: Write ``[A1]``-style coordinates in every cell.
        include_image: Pictures become image chunks (placed by their anchor row).
        separate_sheet: Chunk each sheet on its own (chunk ids restart per sheet).
        separate_table: Each table starts a chunk of its own.
        table_format: ``"markdown"`` or ``"json"``.

    Example:
        >>> ExcelReader(include_cell_coordinates=True).include_sheet_names
        True
    """

    def __init__(
        self,
        chunk_size: int = 512,
        split_by: SplitBy = "sentence",
        include_sheet_names: bool = True,
        include_cell_coordinates: bool = False,
        include_image: bool = False,
        separate_sheet: bool = False,
        separate_table: bool = False,
        table_format: TableFormat = "markdown",
    ) -> None:
        check(chunk_size, split_by)
        check_table_format(table_format)
        self.chunk_size, self.split_by = chunk_size, split_by
        self.include_sheet_names = include_sheet_names
        self.include_cell_coordinates = include_cell_coordinates
        self.include_image = include_image
        self.separate_sheet = separate_sheet
        self.separate_table = separate_table
        self.table_format: TableFormat = table_format
        self._text = TextReader(chunk_size, split_by)

    async def __call__(self, excel_path: str) -> list[Document]:
        openpyxl = need("openpyxl", "openpyxl")
        with reading(excel_path, "ExcelReader"):
            book = openpyxl.load_workbook(excel_path, data_only=True)
            try:
                sheets = [self._sheet_blocks(ws) for ws in book.worksheets]
            finally:
                book.close()
        groups = sheets if self.separate_sheet else [[b for s in sheets for b in s]]
        docs: list[Document] = []
        for blocks in groups:
            docs.extend(
                await block_documents(
                    blocks, path=excel_path, doc_id=self.get_doc_id(excel_path), text=self._text
                )
            )
        return docs

    def _sheet_blocks(self, ws: Any) -> list[dict[str, Any]]:
        rows = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
        while rows and not any(rows[-1]):
            rows.pop()
        data = rows[1:]  # the first row is the header, as pandas reads it
        if not data:
            return []
        header = f"Sheet: {ws.title}" if self.include_sheet_names else None
        table = (
            self._markdown(data, header)
            if self.table_format == "markdown"
            else self._json(data, header)
        )
        placed: list[tuple[int, dict[str, Any]]] = [(0, {"type": "text", "text": table})]
        if self.include_image:
            for image in getattr(ws, "_images", []):
                anchor = getattr(getattr(image, "anchor", None), "_from", None)
                blob = image._data()
                source = {"type": "base64", "media_type": media_type(blob)}
                source["data"] = base64.b64encode(blob).decode("ascii")
                placed.append((getattr(anchor, "row", 0), {"type": "image", "source": source}))
        placed.sort(key=lambda p: p[0])
        return [block for _, block in placed]

    def _coord(self, text: str, row: int, col: int) -> str:
        return f"[{column_name(col)}{row + 1}] {text}" if self.include_cell_coordinates else text

    def _markdown(self, data: list[list[str]], header: str | None) -> str:
        width = len(data[0])
        lines = [header] if header else []
        for r, row in enumerate(data):
            cells = (row + [""] * width)[:width]
            shown = [self._coord(c.replace("|", "\\|"), r, i) for i, c in enumerate(cells)]
            lines.append("| " + " | ".join(shown) + " |")
            if r == 0:
                lines.append("| " + " | ".join(["---"] * width) + " |")
        return "\n".join(lines) + "\n"

    def _json(self, data: list[list[str]], header: str | None) -> str:
        lines = [header] if header else []
        lines.append("<system-info>A table loaded as a JSON array:</system-info>")
        for r, row in enumerate(data):
            if self.include_cell_coordinates:
                keyed = {f"{column_name(i)}{r + 1}": c for i, c in enumerate(row)}
                lines.append(json.dumps(keyed, ensure_ascii=False))
            else:
                lines.append(json.dumps(row, ensure_ascii=False))
        return "\n".join(lines)

    def get_doc_id(self, excel_path: str) -> str:
        return hashlib.sha256(excel_path.encode("utf-8")).hexdigest()
