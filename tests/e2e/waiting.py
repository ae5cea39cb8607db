"""Waiting for a state in the end-to-end scripts (checks.py under pytest, failover.py as a
script): both find this module beside them on sys.path."""

from __future__ import annotations

import time


def wait_until(fn, timeout: float = 15, step: float = 0.2):
    """fn()'s first true value within timeout seconds, polled every step; else its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(step)
    return fn()
