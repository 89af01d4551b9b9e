"""One base exception for the package, with specific subclasses."""

from __future__ import annotations


class AscopeError(Exception):
    """Base class of every error raised by ascope_nb."""


class ModelCallError(AscopeError, RuntimeError):
    """A model request failed (bad key, unreachable URL, server error after retries, broken stream).

    A ``RuntimeError`` too, as a failed model call is in AgentScope 1.x."""


class ToolNotFoundError(AscopeError):
    """A tool name is not registered in the toolkit."""


class ConfigError(AscopeError, ValueError):
    """An option or argument is invalid; raised when it is given, not mid-run."""


class RunInterrupted(AscopeError):
    """Raised inside an agent when its reply is interrupted (stop button, ``interrupt()``)."""


class A2AError(AscopeError, RuntimeError):
    """A remote A2A agent could not be reached or answered badly (the message names its URL)."""
