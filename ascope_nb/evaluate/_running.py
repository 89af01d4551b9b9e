"""One running experiment per name: a second start is refused in one line, in this process
(``claim``) and in any other process sharing the run store (``claim_in_store``).

Two experiments under one name would each run every sample (twice the runs for the same
samples) and resume from each other's half-finished runs.

Example:
    >>> claim("capitals", object())
    >>> release("capitals")
"""

from __future__ import annotations

from typing import Any

from ..exceptions import ConfigError

_running: dict[str, Any] = {}


def claim(name: str, owner: Any) -> None:
    """Note that experiment ``name`` runs now; refuse if another one of that name runs."""
    other = _running.get(name)
    if other is not None and other is not owner and not getattr(other, "done", False):
        raise ConfigError(
            f"experiment {name!r} is already running in this kernel: await or stop it "
            "first, or give this one another name"
        )
    _running[name] = owner


def claim_in_store(name: str) -> Any:
    """Claim ``name`` in the default run store (refused if a live process holds it);
    returns the store, to release the claim in."""
    from ..store import default_store
    from ..store._claims import claim_experiment

    store = default_store()
    claim_experiment(store, name)
    return store


def release(name: str, owner: Any | None = None, *, store: Any = None) -> None:
    """Forget the running experiment ``name`` (when it ends), here and in ``store``."""
    if owner is None or _running.get(name) is owner:
        _running.pop(name, None)
        if store is not None:
            from ..store._claims import release_experiment

            release_experiment(store, name)


__all__ = ["claim", "claim_in_store", "release"]
