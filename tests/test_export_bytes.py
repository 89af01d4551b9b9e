"""Every exporter's output on the fixture corpus is byte-identical to the recorded digests.

The corpus is ``tests/fixtures/runs_events.json`` plus the fold fixtures
(``tests/fixtures/fold/*.json``); each run's events are exported in every text format and the
SHA-256 of each file (of an inspect log's members, its fresh ids and times masked) is compared with ``tests/fixtures/export_digests.json``. A restructuring
that changes a single byte of any export fails here. Regenerate (after a deliberate format
change, reviewing the diff of the exports) with
``ASCOPE_REGEN_GOLDEN=1 pytest tests/test_export_bytes.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from ascope_nb.events import event_from_dict
from ascope_nb.export import export

FIXTURES = Path(__file__).parent / "fixtures"
DIGESTS = FIXTURES / "export_digests.json"
TEXT_FORMATS = (
    "openai", "openai-dpo", "trl-sft", "trl-dpo", "trl-kto", "sharegpt", "trinity", "inspect",
)  # fmt: skip
REGEN = os.environ.get("ASCOPE_REGEN_GOLDEN") == "1"


def corpus() -> dict[str, list[list[Any]]]:
    """``{corpus name: runs as event lists}``."""
    found = {"runs_events": json.loads((FIXTURES / "runs_events.json").read_text())}
    for path in sorted((FIXTURES / "fold").glob("*.json")):
        data = json.loads(path.read_text())
        events = data["events"] if isinstance(data, dict) else data
        found[f"fold/{path.stem}"] = [events]
    return found


# inspect_ai's log writer stamps each log with a fresh id and the time of writing
_STAMPS = re.compile(rb'"(eval_id|created|timestamp)":"[^"]*"')


def _inspect_bytes(path: Path) -> bytes:
    """An inspect log's members, names and bytes, with the writer's fresh ids and times masked."""
    with zipfile.ZipFile(path) as archive:
        return b"".join(
            name.encode() + _STAMPS.sub(rb'"\1":"*"', archive.read(name))
            for name in sorted(archive.namelist())
        )


def digest_of(target: Path) -> str:
    """The SHA-256 of a file, or of a directory's files (names and bytes, in name order)."""
    if zipfile.is_zipfile(target):
        return hashlib.sha256(_inspect_bytes(target)).hexdigest()
    digest = hashlib.sha256()
    files = sorted(target.rglob("*")) if target.is_dir() else [target]
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(target.parent).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def digests(tmp: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, runs in corpus().items():
        events = [[event_from_dict(d) for d in run] for run in runs]
        for fmt in TEXT_FORMATS:
            suffix = ".eval" if fmt == "inspect" else f".{fmt}"  # else a log directory
            target = tmp / f"{name.replace('/', '_')}.{fmt}{suffix}"
            export(events, fmt, target)
            out[f"{name}:{fmt}"] = digest_of(target)
    return out


def test_every_export_is_byte_identical_to_the_record(tmp_path: Path) -> None:
    found = digests(tmp_path)
    if REGEN or not DIGESTS.exists():
        DIGESTS.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")
    expected = json.loads(DIGESTS.read_text())
    changed = sorted(k for k in expected.keys() | found.keys() if expected.get(k) != found.get(k))
    assert changed == []


def test_the_corpus_covers_every_text_format_and_fixture() -> None:
    expected = json.loads(DIGESTS.read_text())
    assert {key.split(":")[1] for key in expected} == set(TEXT_FORMATS)
    assert len({key.split(":")[0] for key in expected}) == len(corpus()) > 5


@pytest.mark.parametrize("fmt", ["openai"])
def test_a_one_byte_change_shows(tmp_path: Path, fmt: str) -> None:
    runs = corpus()["runs_events"]
    events = [[event_from_dict(d) for d in run] for run in runs]
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    export(events, fmt, first)
    runs[0][0]["input"][0]["content"] += "!"
    export([[event_from_dict(d) for d in run] for run in runs], fmt, second)
    assert first.read_bytes() != second.read_bytes()
