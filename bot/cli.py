"""Command line: `python -m bot personas validate|schema`, `score`, `export`, `upgrade-db`,
`users`.

User errors (bad arguments, missing files, unknown sessions) end with a message and a
non-zero exit code, never a traceback. The store and the scorer are imported by the
commands that need them, so `personas validate` starts without the database layer.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from bot.moves import CUES

if TYPE_CHECKING:
    from bot.store import Store

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

    score = commands.add_parser("score", help="show the stored score of a rehearsal",
                                description="Show the stored score of a rehearsal.")
    score.add_argument("session_id")
    score.add_argument("--json", action="store_true", help="print JSON instead of text")

    export = commands.add_parser("export", help="write rehearsal transcripts",
                                 description="Write rehearsal transcripts.")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument("--since", help="only sessions started on/after (YYYY-MM-DD or ISO)")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")

    drills = commands.add_parser("drills", help="check drill files",
                                 description="Check deliberate-practice drill files.")
    drill_actions = drills.add_subparsers(dest="action", metavar="ACTION", required=True)
    drill_actions.add_parser("validate", help="check drill YAML files").add_argument(
        "paths", nargs="*", metavar="PATH", help="drill files or directories (default: "
        "data/drills)")
    flags = commands.add_parser("flags", help="export accepted misheard-turn flags as NLU data",
                                description="Misheard-turn flags that instructors accepted.")
    flag_actions = flags.add_subparsers(dest="action", metavar="ACTION", required=True)
    flag_actions.add_parser("export", help="accepted flags as Rasa NLU YAML").add_argument(
        "--out", help="write to this file instead of standard output")
    commands.add_parser("upgrade-db", help="create or migrate the session database",
                        description="Create or migrate the session database.")
    _users_parser(commands)
    return parser


# -- personas ---------------------------------------------------------------------------


def cmd_personas(args: argparse.Namespace) -> int:
    from bot.persona import schema, validate

    if args.action == "schema":
        sys.stdout.write(schema.schema_json())
        return 0
    return validate.cli(args.paths)


# -- score ------------------------------------------------------------------------------


def _load_persona(persona_id: str) -> Any:
    """The persona of a stored session, or None when its file is gone or broken (the
    scorer then works from the transcript alone)."""
    from bot.config import PERSONA_DIR
    from bot.persona.registry import PersonaRegistry

    try:
        return PersonaRegistry(PERSONA_DIR).get(persona_id)
    except Exception:  # noqa: BLE001 - a missing/broken persona only loses detail here
        return None


def _rescore(store: Store, session: dict) -> dict | None:
    """Score an ended session whose score is missing, store it, return the new session
    (None when scoring fails again)."""
    from bot.scoring.scorecard import final_state_of, score_rehearsal

    final_state = final_state_of(store.get_state(session["session_id"]), session["turns"])
    card = score_rehearsal(session["turns"], session["persona"],
                           _load_persona(session["persona"]), final_state)
    if card.score is None:
        return None
    # Ratings stored at the end of the rehearsal stay; only missing ones are filled in.
    ratings = session["client_ratings"] or card.client_ratings
    store.set_score(session["session_id"], card.score, ratings,
                    scorer_version=card.scorer_version)
    return store.get_session(session["session_id"]) or session


def cmd_score(args: argparse.Namespace) -> int:
    from bot.scoring.scorecard import ESTIMATE_LABEL, format_score

    store = _open_store()
    try:
        session = store.get_session(args.session_id)
        if session is None:
            print(f"No rehearsal session with id {args.session_id!r}.", file=sys.stderr)
            return 1
        if session["score"] is None:
            if session["ended_at"] is None:
                print(
                    f"Rehearsal {args.session_id!r} has not ended yet; "
                    "it is scored when it ends.",
                    file=sys.stderr,
                )
                return 1
            rescored = _rescore(store, session)
            if rescored is None:
                print(f"Rehearsal {args.session_id!r} could not be scored (see the message "
                      "above); its transcript is kept.", file=sys.stderr)
                return 1
            session = rescored
        if args.json:
            out = {k: session[k] for k in ("session_id", "persona", "trainee", "plan")}
            out["score"] = session["score"]
            out["client_ratings"] = session["client_ratings"]
            out["note"] = f"Scores are {ESTIMATE_LABEL}."
            print(json.dumps(out, ensure_ascii=False, indent=2))
        else:
            print(format_score(session))
        return 0
    finally:
        store.dispose()


# -- export -----------------------------------------------------------------------------


CSV_COLUMNS: list[str] = (
    ["session_id", "persona", "trainee", "n", "trainee_text", "intent", "confidence", "entities"]
    + [f"cue_{c}" for c in CUES]
    + ["client", "events"]
)


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def write_csv(out: TextIO, sessions: Iterator[dict]) -> None:
    """One row per turn (sessions without turns add no row)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in sessions:
        for t in s["turns"]:
            cues = t["cues"] or {}
            writer.writerow(
                [
                    s["session_id"],
                    s["persona"],
                    s["trainee"],
                    t["n"],
                    t["trainee"],
                    t["intent"],
                    _csv_value(t["confidence"]),
                    json.dumps(t["entities"], ensure_ascii=False),
                    *[_csv_value(cues.get(c)) for c in CUES],
                    t["client"],
                    ";".join(t["events"]),
                ]
            )


def cmd_export(args: argparse.Namespace) -> int:
    from bot.store import parse_since

    try:
        since = parse_since(args.since) if args.since else None
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    store = _open_store()
    out: TextIO = (
        open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
    )
    try:
        show_bar = bool(args.output) or sys.stderr.isatty()
        items: Iterator[dict] = store.iter_sessions(since)
        if show_bar:
            from tqdm import tqdm

            items = iter(
                tqdm(items, total=store.count_sessions(since), unit="session", file=sys.stderr)
            )
        if args.format == "jsonl":
            for s in items:
                out.write(json.dumps(s, ensure_ascii=False) + "\n")
        else:
            write_csv(out, items)
        out.flush()
        return 0
    finally:
        if out is not sys.stdout:
            out.close()
        store.dispose()


# -- upgrade-db -------------------------------------------------------------------------


def cmd_upgrade_db(args: argparse.Namespace) -> int:
    """Migrate the database to the newest schema (before several servers start)."""
    from bot.store import Store

    store = Store()
    try:
        store.upgrade()
    finally:
        store.dispose()
    print(f"database is up to date: {store.engine.url.render_as_string(hide_password=True)}")
    return 0


# -- users ----------------------------------------------------------------------------


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


def cmd_users(args: argparse.Namespace) -> int:
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


def _open_store() -> Store:
    from bot.store import Store

    store = Store()
    store.upgrade()
    return store


def cmd_flags(args: argparse.Namespace) -> int:
    """`python -m bot flags export [--out FILE]`: for review before it joins data/nlu/."""
    from bot.training.store import TrainingStore, flags_nlu_yaml

    store = _open_store()
    try:
        text = flags_nlu_yaml(TrainingStore(store).flags(status="accepted"))
    finally:
        store.dispose()
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text)
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_drills(args: argparse.Namespace) -> int:
    from bot.drills.validate import cli as drills_cli

    return drills_cli(args.paths)


COMMANDS = {
    "personas": cmd_personas,
    "score": cmd_score,
    "export": cmd_export,
    "upgrade-db": cmd_upgrade_db,
    "users": cmd_users,
    "drills": cmd_drills,
    "flags": cmd_flags,
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    return COMMANDS[args.command](args)


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
