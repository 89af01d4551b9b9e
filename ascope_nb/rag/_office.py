"""Readers for Office files: Word (``python-docx``); text, tables and images in document order."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any, Literal

from ._document import DocMetadata, Document
from ._reader import ReaderBase, TextReader, need, reading
from ._split import SplitBy, check

TableFormat = Literal["markdown", "json"]


def check_table_format(table_format: str) -> None:
    """``ValueError`` for a table format other than ``"markdown"`` or ``"json"``."""
    if table_format not in ("markdown", "json"):
        raise ValueError(f"table_format must be 'markdown' or 'json', got {table_format!r}")


def table_markdown(rows: list[list[str]]) -> str:
    """A Markdown table, the first row as header (short rows padded)."""
    if not rows or not rows[0]:
        return ""
    width = len(rows[0])
    lines = ["| " + " | ".join(rows[0]) + " |", "| " + " | ".join(["---"] * width) + " |"]
    for row in rows[1:]:
        cells = (list(row) + [""] * width)[:width]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def table_json(rows: list[list[str]]) -> str:
    """The table as a JSON array of rows, after a one-line note for the model."""
    note = "<system-info>A table loaded as a JSON array:</system-info>\n"
    return note + json.dumps(rows, ensure_ascii=False)


def table_text(rows: list[list[str]], fmt: TableFormat) -> str:
    return table_markdown(rows) if fmt == "markdown" else table_json(rows)


async def block_documents(
    blocks: list[dict[str, Any]], *, path: str, doc_id: str, text: TextReader
) -> list[Document]:
    """The chunks of one file as Documents: text blocks split by ``text``, other blocks
    (tables, images) one chunk each, numbered in order (the Office readers share this)."""
    contents: list[dict[str, Any]] = []
    for block in blocks:
        if block["type"] == "text":
            contents.extend(d.metadata.content for d in await text.chunk_text(block["text"]))
        else:
            contents.append(block)
    return [
        Document(
            metadata=DocMetadata(
                content=c, doc_id=doc_id, chunk_id=i, total_chunks=len(contents), source=path
            )
        )
        for i, c in enumerate(contents)
    ]


def _texts(element: Any, tag: str) -> str:
    return "".join(t.text for t in element.iter(tag) if t.text)


class WordReader(ReaderBase):
    """Chunks a ``.docx`` file: paragraphs, tables (Markdown or JSON) and images, in order.

    Args:
        chunk_size: The most characters in one text chunk.
        split_by: ``"char"``, ``"sentence"`` or ``"paragraph"``.
        include_image: Images become image chunks (base64) (needs a multimodal embedding).
        separate_table: Each table starts a chunk of its own instead of joining the text.
        table_format: ``"markdown"`` or ``"json"``.

    Example:
        >>> WordReader(chunk_size=200, separate_table=True).separate_table
        True
    """

    def __init__(
        self,
        chunk_size: int = 512,
        split_by: SplitBy = "sentence",
        include_image: bool = True,
        separate_table: bool = False,
        table_format: TableFormat = "markdown",
    ) -> None:
        check(chunk_size, split_by)
        check_table_format(table_format)
        self.chunk_size = chunk_size
        self.split_by: SplitBy = split_by
        self.include_image = include_image
        self.separate_table = separate_table
        self.table_format: TableFormat = table_format
        self._text = TextReader(chunk_size, split_by)

    async def __call__(self, word_path: str) -> list[Document]:
        with reading(word_path, "WordReader"):
            blocks = self._blocks(word_path)
        return await block_documents(
            blocks,
            path=word_path,
            doc_id=self.get_doc_id(word_path),
            text=self._text,
        )

    def _blocks(self, path: str) -> list[dict[str, Any]]:
        docx = need("docx", "python-docx")
        from docx.oxml.ns import qn

        document = docx.Document(path)
        blocks: list[dict[str, Any]] = []
        last = ""
        for element in document.element.body:
            if element.tag == qn("w:p"):
                text = self._paragraph_text(element, qn)
                has_image = bool(
                    list(element.iter(qn("w:drawing"))) or list(element.iter(qn("w:pict")))
                )
                if self.include_image and has_image:
                    blocks.extend(self._images(element, document.part, qn))
                    last = "image"
                if last == "text" or (last == "table" and not self.separate_table):
                    blocks[-1]["text"] += "\n" + text
                else:
                    blocks.append({"type": "text", "text": text})
                last = "text"
            elif element.tag == qn("w:tbl"):
                text = table_text(self._table(element, qn), self.table_format)
                if not self.separate_table and last in ("text", "table"):
                    blocks[-1]["text"] += "\n" + text
                else:
                    blocks.append({"type": "text", "text": text})
                last = "table"
        return blocks

    @staticmethod
    def _paragraph_text(p: Any, qn: Any) -> str:
        text = _texts(p, qn("w:t"))
        if not text:  # text boxes (DrawingML or VML)
            boxes = [
                *p.iter(qn("w:txbxContent")),
                *p.iter("{urn:schemas-microsoft-com:vml}textbox"),
            ]
            text = "".join(_texts(box, qn("w:t")) for box in boxes)
        return text.strip()

    @staticmethod
    def _table(tbl: Any, qn: Any) -> list[list[str]]:
        rows = []
        for tr in tbl.findall(qn("w:tr")):
            row = []
            for tc in tr.findall(qn("w:tc")):
                paras = [t for p in tc.findall(qn("w:p")) if (t := _texts(p, qn("w:t")))]
                row.append("\n".join(paras))
            rows.append(row)
        return rows

    @staticmethod
    def _images(p: Any, part: Any, qn: Any) -> list[dict[str, Any]]:
        rel_ids = [b.get(qn("r:embed")) for b in p.iter(qn("a:blip"))]
        rel_ids += [d.get(qn("r:id")) for d in p.iter("{urn:schemas-microsoft-com:vml}imagedata")]
        out = []
        for rel in rel_ids:
            if not rel or rel not in part.related_parts:
                continue
            image = part.related_parts[rel]
            out.append(
                {
                    "type": "image",
                    "source": {
                        "type": "base64",
                        "data": base64.b64encode(image.blob).decode("ascii"),
                        "media_type": image.content_type,
                    },
                }
            )
        return out

    def get_doc_id(self, word_path: str) -> str:
        return hashlib.md5(word_path.encode("utf-8")).hexdigest()
