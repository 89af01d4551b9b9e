"""``JSONSession``: one JSON file per session id holding each module's ``state_dict``."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from pathlib import Path

from ..module import StateModule


class SessionBase:
    """Base class of session stores."""

    async def save_session_state(
        self, session_id: str, user_id: str = "", **state_modules: StateModule
    ) -> None:
        raise NotImplementedError

    async def load_session_state(
        self,
        session_id: str,
        user_id: str = "",
        allow_not_exist: bool = True,
        **state_modules: StateModule,
    ) -> None:
        raise NotImplementedError


class JSONSession(SessionBase):
    """Saves agents (and any ``StateModule``) to ``<save_dir>/<session_id>.json``.

    The file is written atomically (temp file + rename), so a crash never leaves half a session.

    Example:
        >>> async def save(agent):  # doctest: +SKIP
        ...     await JSONSession(save_dir="./sessions").save_session_state("s1", friday=agent)
    """

    def __init__(self, session_id: str | None = None, save_dir: str = "./") -> None:
        self.session_id = session_id
        self.save_dir = save_dir

    def _path(self, session_id: str, user_id: str = "") -> Path:
        for label, value in (("session id", session_id), ("user id", user_id or "x")):
            if not value or any(sep in value for sep in ("/", "\\")) or value in (".", ".."):
                raise ValueError(f"invalid {label} {value!r}")
        name = f"{user_id}_{session_id}.json" if user_id else f"{session_id}.json"
        return Path(self.save_dir) / name

    async def save_session_state(
        self, session_id: str, user_id: str = "", **state_modules: StateModule
    ) -> None:
        """Save each keyword's ``state_dict()`` under its keyword, in
        ``save_dir/[user_id_]session_id.json`` (AgentScope 1.x's file layout)."""
        data = {name: module.state_dict() for name, module in state_modules.items()}
        await asyncio.to_thread(self._write, self._path(session_id, user_id), data)

    @staticmethod
    def _write(path: Path, data: dict) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False, indent=2)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    async def load_session_state(
        self,
        session_id: str,
        user_id: str = "",
        allow_not_exist: bool = True,
        **state_modules: StateModule,
    ) -> None:
        """Restore each keyword's module from the saved session."""
        path = self._path(session_id, user_id)
        if not path.exists():
            if allow_not_exist:
                return
            raise FileNotFoundError(f"no saved session {session_id!r} at {path}")
        data = json.loads(await asyncio.to_thread(path.read_text, encoding="utf-8"))
        for name, module in state_modules.items():
            if name in data:
                module.load_state_dict(data[name])
            elif not allow_not_exist:
                raise KeyError(f"session {session_id!r} has no state for {name!r}")
