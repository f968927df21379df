#!/usr/bin/env python3
"""Docker action entry point: the runner starts this inside the action's container."""

from gocross_action.action import main

if __name__ == "__main__":
    raise SystemExit(main())
