"""Waiting for a state, not for a time: for the tests that drive a real process (a terminal, a
tmux pane) rather than a Pilot. Beside the tests, on sys.path: pytest's `pythonpath` (also for
tests/e2e/checks.py, whose run stops conftest at tests/e2e) and failover.py's own sys.path."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(fn: Callable[[], T], timeout: float = 15, step: float = 0.2) -> T:
    """fn()'s first true value within timeout seconds, polled every step; else its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(step)
    return fn()
