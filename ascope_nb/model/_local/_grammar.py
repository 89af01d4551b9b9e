"""The llama.cpp grammar for a schema step of the embedded model.

Sent as the request's ``grammar`` (llguidance in this llama.cpp build) instead of
``response_format``: through ``response_format`` the chat handler lets the model wrap its
JSON in a Markdown fence and indent it, and returns the JSON without the fence, so the
next request's copy of that turn no longer matches the tokens in the prompt cache.
With the grammar the reply is compact JSON (fewer tokens to generate) and is sent back
token for token, so llama.cpp reuses it instead of processing it again.

Example:
    >>> fields = grammar_fields({"type": "object"})  # doctest: +SKIP
    >>> sorted(fields["extra_body"])  # doctest: +SKIP
    ['grammar']
"""

from __future__ import annotations

import functools
import json
from typing import Any

from ._server import import_engine


@functools.lru_cache(maxsize=64)
def _grammar(schema_json: str) -> str:
    return str(import_engine().json_schema_to_grammar(schema_json))


def grammar_fields(schema: dict[str, Any]) -> dict[str, Any]:
    """The request fields that constrain a reply to ``schema`` with a llama.cpp grammar."""
    # key order is kept: the grammar writes properties in schema order ("name" first)
    return {"extra_body": {"grammar": _grammar(json.dumps(schema))}}
