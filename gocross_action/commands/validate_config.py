"""`gocross validate-config [PATH]`: validate a config file and nothing else.

Inline rules and rule files are judged in full, as ``diagnose`` judges them: OK means every
command accepts the file. Exit 0 with one ``OK`` line on stdout; exit 2 with every problem (its
line and column, its path in the file and a hint) on stderr, through the CLI's ``ConfigError``
handling.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import InputError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        nargs="?",
        metavar="PATH",
        help="config file to validate (default: --config, else .github/gocross.yml or gocross.yml "
        "found from the current directory up to the repository root)",
    )


def run(args: argparse.Namespace) -> int:
    from .. import config

    given = args.path or args.config
    if given:
        path = Path(given)
        if not path.exists():
            raise InputError(f"config file {given} not found")
    else:
        found = config.find_config(Path.cwd())
        if found is None:
            names = ", ".join(config.CONFIG_NAMES)
            raise InputError(f"no config file found ({names}) from {Path.cwd()} up to the repository root")
        path = found
    loaded = config.load(path)
    from ..boundary import paths
    from ..errors import ConfigError

    # Where the builds would write: the module is the directory the search started from, or the
    # one holding the file (its parent when the file sits in .github/).
    holder = path.resolve().parent
    module_dir = Path.cwd() if not given else (holder.parent if holder.name == ".github" else holder)
    problems = paths.config_write_problems(loaded, module_dir=module_dir)
    if problems:
        raise ConfigError(str(path), problems)
    if loaded.rules.files:
        from ..config import UserRules
        from ..diagnose.rules import user_rules

        # Rule files are judged exactly as diagnose judges them (inline rules already were).
        user_rules(UserRules(files=loaded.rules.files))
    count = len(loaded.targets)
    targets = f"{count} target{'' if count == 1 else 's'}" if count else "default targets"
    from ..output import write_stdout

    write_stdout(f"{path}: OK ({targets})\n")
    return 0
