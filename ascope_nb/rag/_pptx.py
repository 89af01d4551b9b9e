"""The PowerPoint reader (``python-pptx``): per slide, text, tables and pictures in order."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from ._document import Document
from ._office import TableFormat, block_documents, check_table_format, table_text
from ._reader import ReaderBase, TextReader, need, reading
from ._split import SplitBy, check

_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
    b"BM": "image/bmp",
}


def media_type(data: bytes) -> str:
    """The image MIME type from the first bytes (JPEG if unknown)."""
    for sig, kind in _SIGNATURES.items():
        if data.startswith(sig):
            return kind
    return "image/webp" if data[:4] == b"RIFF" and data[8:12] == b"WEBP" else "image/jpeg"


class PowerPointReader(ReaderBase):
    """Chunks a ``.pptx`` file; each slide's text is wrapped in ``slide_prefix``/``slide_suffix``.

    Args:
        chunk_size: The most characters in one text chunk.
        split_by: ``"char"``, ``"sentence"`` or ``"paragraph"``.
        include_image: Pictures become image chunks (base64).
        separate_slide: Chunk each slide on its own (chunk ids restart per slide).
        separate_table: Each table starts a chunk of its own.
        table_format: ``"markdown"`` or ``"json"``.
        slide_prefix: Put before a slide's first text (``{index}`` from 1); ``None``: nothing.
        slide_suffix: Put after a slide's last text; ``None``: nothing.

    Example:
        >>> PowerPointReader(slide_prefix=None).slide_suffix
        '</slide>'
    """

    def __init__(
        self,
        chunk_size: int = 512,
        split_by: SplitBy = "sentence",
        include_image: bool = True,
        separate_slide: bool = False,
        separate_table: bool = False,
        table_format: TableFormat = "markdown",
        slide_prefix: str | None = "<slide index={index}>",
        slide_suffix: str | None = "</slide>",
    ) -> None:
        check(chunk_size, split_by)
        check_table_format(table_format)
        self.chunk_size, self.split_by = chunk_size, split_by
        self.include_image = include_image
        self.separate_slide = separate_slide
        self.separate_table = separate_table
        self.table_format: TableFormat = table_format
        self.slide_prefix, self.slide_suffix = slide_prefix, slide_suffix
        self._text = TextReader(chunk_size, split_by)

    async def __call__(self, ppt_path: str) -> list[Document]:
        pptx = need("pptx", "python-pptx")
        with reading(ppt_path, "PowerPointReader"):
            slides = [
                self._slide_blocks(s, i) for i, s in enumerate(pptx.Presentation(ppt_path).slides)
            ]
        groups = slides if self.separate_slide else [[b for s in slides for b in s]]
        docs: list[Document] = []
        for blocks in groups:
            docs.extend(
                await block_documents(
                    blocks, path=ppt_path, doc_id=self.get_doc_id(ppt_path), text=self._text
                )
            )
        return docs

    def _slide_blocks(self, slide: Any, index: int) -> list[dict[str, Any]]:
        header = self.slide_prefix.format(index=index + 1) if self.slide_prefix is not None else ""
        blocks: list[dict[str, Any]] = []
        last = ""
        for shape in slide.shapes:
            kind, data = self._shape(shape)
            if kind == "image":
                blocks.extend(data)
                last = "image"
            elif kind in ("text", "table"):
                joins = last == "text" or (last == "table" and not self.separate_table)
                if kind == "table":
                    joins = not self.separate_table and last in ("text", "table")
                if joins and blocks:
                    blocks[-1]["text"] += "\n" + data
                else:
                    text = f"{header}\n{data}" if not last and header else data
                    blocks.append({"type": "text", "text": text})
                last = kind
        if self.slide_suffix is not None and blocks:
            texts = [b for b in blocks if b["type"] == "text"]
            if texts:
                texts[-1]["text"] += "\n" + self.slide_suffix
            else:
                suffix = f"{header}\n{self.slide_suffix}" if header else self.slide_suffix
                blocks.append({"type": "text", "text": suffix})
        return blocks

    def _shape(self, shape: Any) -> tuple[str, Any]:
        if self.include_image and shape.shape_type == 13:  # MSO_SHAPE_TYPE.PICTURE
            blob = shape.image.blob
            source = {"type": "base64", "media_type": media_type(blob)}
            source["data"] = base64.b64encode(blob).decode("ascii")
            return "image", [{"type": "image", "source": source}]
        if getattr(shape, "has_table", False):
            rows = [
                [c.text.strip().replace("\r\n", "\n").replace("\r", "\n") for c in row.cells]
                for row in shape.table.rows
            ]
            return "table", table_text(rows, self.table_format)
        if getattr(shape, "has_text_frame", False):
            parts = [p.text.strip() for p in shape.text_frame.paragraphs if p.text.strip()]
            if parts:
                return "text", "\n".join(parts)
        return "", None

    def get_doc_id(self, ppt_path: str) -> str:
        return hashlib.md5(ppt_path.encode("utf-8")).hexdigest()
