"""Command line: `python -m bot personas validate|schema`, `score`, `export`.

User errors (bad arguments, missing files, a module not written yet) end with a
message and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

USAGE = """
  python -m bot personas validate [PATH ...]   check persona files (default: data/personas)
  python -m bot personas schema                print the persona JSON Schema
  python -m bot score <session_id> [--json]    show the stored score of a rehearsal
  python -m bot export [--format jsonl|csv] [--since DATE]   write transcripts
  python -m bot upgrade-db                     create or migrate the session database"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Action-plan rehearsal simulator tools.",
        epilog="commands:" + USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    personas = commands.add_parser("personas", help="check persona files or print their schema")
    actions = personas.add_subparsers(dest="action", metavar="ACTION", required=True)
    validate = actions.add_parser("validate", help="check persona YAML files")
    validate.add_argument("paths", nargs="*", metavar="PATH",
                          help="persona files or directories (default: data/personas)")
    actions.add_parser("schema", help="print the persona JSON Schema to stdout")
    # score/export parse their own arguments (bot.store); listed here for --help only.
    commands.add_parser("score", help="show the stored score of a rehearsal", add_help=False)
    commands.add_parser("export", help="write rehearsal transcripts", add_help=False)
    commands.add_parser("upgrade-db", help="create or migrate the session database",
                        add_help=False)
    return parser


def _store_command(name: str) -> Callable[[list[str]], int] | None:
    try:
        from bot import store  # imported lazily: needs the database layer
    except ImportError as exc:
        print(f"python -m bot {name}: not available in this installation ({exc})",
              file=sys.stderr)
        return None
    func = getattr(store, f"cli_{name}", None)
    if func is None:
        print(f"python -m bot {name}: not available yet (bot.store has no cli_{name})",
              file=sys.stderr)
    return func


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    store_commands = {"score": "score", "export": "export", "upgrade-db": "upgrade"}
    if argv and argv[0] in store_commands:
        func = _store_command(store_commands[argv[0]])
        return 2 if func is None else int(func(argv[1:]) or 0)
    args = _parser().parse_args(argv)
    from bot.persona import validate

    if args.action == "schema":
        sys.stdout.write(validate.schema_json())
        return 0
    return validate.cli(args.paths)


def run() -> int:
    try:
        return main()
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `python -m bot personas schema | head`
        return 0
    except SystemExit as exc:  # argparse's own exit for usage errors and --help
        return exc.code if isinstance(exc.code, int) else 1
    except Exception as exc:  # noqa: BLE001 - a tool for clinicians must not dump tracebacks
        print(f"python -m bot: unexpected error ({type(exc).__name__}: {exc}); please report "
              "this to the developers", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(run())
