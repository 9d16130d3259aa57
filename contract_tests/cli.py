"""The ``sora-contract`` command line: a thin argparse shell around subcommands.

Subcommands live with the code they drive; this module only collects them. A provider is a module
exposing ``COMMANDS``, a sequence of ``Command``; to add subcommands, write such a module and append
its name to ``PROVIDERS``. Every command returns its exit code: 0 success, 1 the check failed
(``--fail-on``), 2 unusable input, reported as one line on stderr, never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

PROG = "sora-contract"
EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE = 0, 1, 2

#: Modules whose ``COMMANDS`` become subcommands, in this order in ``--help``.
PROVIDERS: tuple[str, ...] = ("contract_tests.changes.commands",)


class UsageError(Exception):
    """Unusable input detected by a command (exit 2); ``str()`` is the one-line message."""


@dataclass(frozen=True)
class Command:
    """One subcommand: ``configure`` adds its arguments, ``run`` does the work and returns the exit code."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    description: str = ""


def commands(providers: Sequence[str] = PROVIDERS) -> list[Command]:
    """Every subcommand the providers declare."""
    found: list[Command] = []
    for name in providers:
        found.extend(importlib.import_module(name).COMMANDS)
    return found


def build_parser(providers: Sequence[str] = PROVIDERS) -> argparse.ArgumentParser:
    """The full parser; tests use it to check that the CI workflow runs real subcommands."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Contract tooling for the Sora relays' POST /v1/videos.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in commands(providers):
        child = sub.add_parser(command.name, help=command.help, description=command.description or command.help,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
        command.configure(child)
        child.set_defaults(_run=command.run)
    return parser


def subcommand_names(parser: argparse.ArgumentParser | None = None) -> set[str]:
    """The names of every registered subcommand."""
    parser = parser or build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sora-contract`` console script and of ``python -m contract_tests``."""
    from contract_tests.changes.loading import LoadError

    parser = build_parser()
    args = parser.parse_args(argv)
    run = getattr(args, "_run", None)
    if run is None:
        parser.print_help(sys.stderr)
        return EXIT_UNUSABLE
    try:
        return int(run(args))
    except (LoadError, UsageError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
