"""The ``gocross check`` pipeline, one module per stage; ``schedule`` runs them.

- ``plan``: settings, targets, ports, one build job per target, start order (pure)
- ``build``: ``go build`` per target on ``--jobs`` threads, logs, the output manifest
- ``cgo`` (with ``filesets``, ``cscan``): what each target's packages need of cgo (``go list``)
- ``inspect``: a built binary read from its bytes and judged
- ``smoke``: a built binary run once, natively or under qemu
- ``diagnose``: failed builds explained; every finding refined and its fix costed
- ``prove`` (with ``verify``, ``sysroot``, ``zigcc``): ``--verify-fixes`` trial rebuilds
- ``assemble``: the manifest, the logs in the report directory, the report
- ``schedule``: which stage runs when, on which thread (``timings``, ``progress``: its clock and
  its display)
- ``ports``: the ports the Go in use supports; ``work``: one target's state through the stages
"""
