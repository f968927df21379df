"""The trust boundary: the one place that decides what crosses from untrusted input into gocross.

Everything in the repository and in artifacts (sources, build output, symlinks, config, rules,
logs, binaries, reports) is written by whoever opened the pull request. Every path gocross reads
or writes, every untrusted file it loads and every untrusted text it prints goes through here:

- ``paths``: which paths may be read or written (inside the workspace or RUNNER_TEMP, no symlink
  that leaves it), and writing without following symlinks;
- ``text``: untrusted text printed under Actions is data, never a workflow command;
- ``read``: untrusted files are read bounded (regular files only, size caps, no blocking);
- ``yaml``: YAML is loaded with alias, size and depth budgets;
- ``regex``: user-written patterns run in a linear-time engine.
"""
