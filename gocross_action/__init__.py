"""gocross-action: build, verify and diagnose Go cross-compilation."""

from __future__ import annotations

__version__ = "0.1.0"
