"""The run store: every run's events kept in SQLite (WAL) or any SQLAlchemy database.

Example:
    >>> from ascope_nb.store import RunStore
    >>> store = RunStore(":memory:").attach()   # stores every event of this process
    >>> store.runs().columns[:3].tolist()
    ['run_id', 'agent', 'model']
    >>> store.close()
"""

from .. import hooks
from ._connection import StoreWarning
from ._registry import default_store, set_default_store, wait_durable
from ._scrub import REDACTED, is_secret_key, scrub
from ._store import RunStore
from ._stores import DEFAULT_PATH, ENV_VAR, default_store_target
from ._writer import DURABLE_KINDS

hooks.wait_durable.set(wait_durable)  # the agent waits for a step on disk before a model call

__all__ = [
    "RunStore",
    "StoreWarning",
    "scrub",
    "is_secret_key",
    "REDACTED",
    "DURABLE_KINDS",
    "DEFAULT_PATH",
    "ENV_VAR",
    "default_store",
    "default_store_target",
    "set_default_store",
    "wait_durable",
]
