"""Command line: `python -m bot personas validate|schema`, `score`, `export`, `users`.

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
  python -m bot drills validate [PATH ...]     check drill files (default: data/drills)
  python -m bot flags export [--out FILE]      accepted misheard-turn flags as Rasa NLU YAML
  python -m bot score <session_id> [--json]    show the stored score of a rehearsal
  python -m bot export [--format jsonl|csv] [--since DATE]   write transcripts
  python -m bot upgrade-db                     create or migrate the session database
  python -m bot users add NAME --role trainee|instructor   create an account (prints its password)
  python -m bot users list|disable NAME|enable NAME|password NAME|token NAME
  python -m bot users init                     first run: create an instructor if there is none"""


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
    drills = commands.add_parser("drills", help="check drill files")
    drill_actions = drills.add_subparsers(dest="action", metavar="ACTION", required=True)
    drill_actions.add_parser("validate", help="check drill YAML files").add_argument(
        "paths", nargs="*", metavar="PATH", help="drill files or directories (default: "
        "data/drills)")
    # score/export parse their own arguments (bot.store); listed here for --help only.
    commands.add_parser("score", help="show the stored score of a rehearsal", add_help=False)
    commands.add_parser("export", help="write rehearsal transcripts", add_help=False)
    commands.add_parser("flags", help="export accepted misheard-turn flags as NLU data",
                        add_help=False)
    commands.add_parser("upgrade-db", help="create or migrate the session database",
                        add_help=False)
    _users_parser(commands)
    return parser


def _users_parser(commands: argparse._SubParsersAction) -> None:
    users = commands.add_parser("users", help="accounts: add, list, disable, password, token")
    verbs = users.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = verbs.add_parser("add", help="create an account and print its generated password")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=("trainee", "instructor"))
    verbs.add_parser("list", help="list the accounts")
    for verb, text in (("disable", "stop an account signing in; its tokens stop working"),
                       ("enable", "let a disabled account sign in again"),
                       ("password", "give an account a new generated password (printed once)")):
        verbs.add_parser(verb, help=text).add_argument("name")
    token = verbs.add_parser("token", help="print a new API token (on the last line)")
    token.add_argument("name")
    token.add_argument("--revoke-others", action="store_true",
                       help="make the account's earlier tokens stop working")
    verbs.add_parser("init", help="on a database without accounts, create an instructor")


def _users(args: argparse.Namespace) -> int:
    """`python -m bot users ...`: each secret is printed once and never stored in clear."""
    from bot.accounts import AccountError, Accounts
    from bot.store import Store

    store = Store()
    store.upgrade()
    registry = Accounts(store)
    try:
        if args.action == "add":
            password = registry.add(args.name, args.role)
            print(f"Created {args.role} {args.name!r}. Their password (shown only now):")
            print(password)
        elif args.action == "list":
            for account in registry.list():
                state = "disabled" if account.disabled else "active"
                print(f"{account.name}\t{account.role}\t{state}\t"
                      f"{account.created_at:%Y-%m-%d}")
        elif args.action == "disable":
            registry.disable(args.name)
            print(f"Disabled {args.name!r}: no sign-in, and its API tokens no longer work.")
        elif args.action == "enable":
            registry.enable(args.name)
            print(f"Enabled {args.name!r} (give it a new token if scripts need one).")
        elif args.action == "password":
            password = registry.reset_password(args.name)
            print(f"New password for {args.name!r} (shown only now; signed out everywhere):")
            print(password)
        elif args.action == "token":
            token = registry.new_token(args.name, revoke_others=args.revoke_others)
            print(f"New API token for {args.name!r} (shown only now); send it as "
                  "'Authorization: Bearer <token>':")
            print(token)
        elif args.action == "init":
            created = registry.ensure_first_instructor()
            if created is not None:
                name, password = created
                print("==> first run: created the instructor account "
                      f"{name!r} with the password\n\n    {password}\n\n"
                      "    It is shown only this once. Sign in at /app/signin.html and add "
                      "trainees with `python -m bot users add NAME --role trainee`.")
        return 0
    except AccountError as exc:
        print(f"python -m bot users {args.action}: {exc}", file=sys.stderr)
        return 1
    finally:
        store.dispose()


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
    if argv and argv[0] == "flags":
        from bot.training.store import cli_flags

        return int(cli_flags(argv[1:]) or 0)
    if argv and argv[0] in store_commands:
        func = _store_command(store_commands[argv[0]])
        return 2 if func is None else int(func(argv[1:]) or 0)
    args = _parser().parse_args(argv)
    if args.command == "users":
        return _users(args)
    if args.command == "drills":
        from bot.drills.validate import cli as drills_cli

        return drills_cli(args.paths)
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
