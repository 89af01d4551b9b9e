"""Retrieval-augmented generation (AgentScope 1.x ``agentscope.rag`` API), offline by default.

Example:
    >>> from ascope_nb.rag import SimpleKnowledge, QdrantStore, TextReader
    >>> TextReader(chunk_size=200).split_by
    'sentence'
"""

from ._cited import CitedSearch, Report, Source
from ._document import DocMetadata, Document
from ._excel import ExcelReader
from ._knowledge import KnowledgeBase, SimpleKnowledge
from ._milvus import MilvusLiteStore
from ._mongodb import MongoDBStore
from ._mysql_vector import AlibabaCloudMySQLStore
from ._oceanbase import OceanBaseStore
from ._office import WordReader
from ._pptx import PowerPointReader
from ._reader import PDFReader, ReaderBase, ReaderError, TextReader
from ._store import QdrantStore, VDBStoreBase

__all__ = [
    "AlibabaCloudMySQLStore",
    "CitedSearch",
    "Report",
    "Source",
    "DocMetadata",
    "Document",
    "ExcelReader",
    "KnowledgeBase",
    "MilvusLiteStore",
    "MongoDBStore",
    "OceanBaseStore",
    "PDFReader",
    "PowerPointReader",
    "QdrantStore",
    "ReaderBase",
    "ReaderError",
    "SimpleKnowledge",
    "TextReader",
    "VDBStoreBase",
    "WordReader",
]
