"""``python -m store``: migrate, load-sample, import, stats and agents for the store database."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Optional, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.exc import OperationalError, SQLAlchemyError

from store.agents import AgentError
from store.db import SchemaError, create_schema, make_engine, require_schema, session_scope
from store.importers.errors import StoreImportError
from store.importers.load import StoreFiles, import_store, table_counts
from store.sample.load import SAMPLE_DATA_DIR, SAMPLE_OUTPUT_DIR, load_sample

SUMMARY_TABLES = (
    "products",
    "variants",
    "categories",
    "size_charts",
    "customers",
    "orders",
    "line_items",
    "fulfillments",
    "returns",
    "shipping_zones",
    "discount_codes",
    "handoffs",
)


def _print_counts(counts: dict[str, int]) -> None:
    print(", ".join(f"{counts[t]} {t.replace('_', ' ')}" for t in SUMMARY_TABLES if t in counts))


def _store_today() -> date:
    import yaml

    store = yaml.safe_load((SAMPLE_DATA_DIR / "store.yaml").read_text(encoding="utf-8"))
    return datetime.now(timezone.utc).astimezone(ZoneInfo(store.get("timezone", "UTC"))).date()


def _status_counts(engine) -> dict[str, int]:
    from sqlalchemy import select

    from store.info import store_timezone
    from store.models import Order
    from store.order_views import order_status
    from store.orders import _LOAD

    counts: dict[str, int] = {}
    with session_scope(engine) as session:
        tz, now = store_timezone(session), datetime.now(timezone.utc)
        for order in session.execute(select(Order).options(*_LOAD)).scalars():
            status = order_status(order, now=now, tz=tz)
            counts[status] = counts.get(status, 0) + 1
    return counts


def _agents(engine, args: argparse.Namespace) -> None:
    from core.settings import load_settings
    from store import agents

    with session_scope(engine) as session:
        given = sys.stdin.readline().rstrip("\n") if getattr(args, "password_stdin", False) else None
        if args.agents_command == "add":
            api_name = load_settings(generate_secrets=False)["AGENT_API_NAME"]
            password = agents.add_agent(session, args.name, given, reserved=[api_name])
            print(f"agent {args.name!r} can sign in to the console now")
            if given is None:
                print(f"password (shown once): {password}")
        elif args.agents_command == "reset-password":
            password = agents.reset_password(session, args.name, given)
            print(f"agent {args.name!r} has a new password; their console sessions have ended")
            if given is None:
                print(f"password (shown once): {password}")
        elif args.agents_command == "list":
            accounts = agents.list_agents(session)
            for account in accounts:
                state = "active" if account.active else "disabled"
                print(f"{account.name}\t{state}\tsince {account.created_at:%Y-%m-%d}")
            if not accounts:
                print("no accounts: the console token signs people in (AGENT_CONSOLE_TOKEN)")
        else:
            agents.set_active(session, args.name, args.agents_command == "enable")
            ended = " and signed out" if args.agents_command == "disable" else ""
            print(f"agent {args.name!r} {args.agents_command}d{ended}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run one subcommand; returns the process exit code (errors are one line on stderr)."""
    parser = argparse.ArgumentParser(prog="python -m store", description=__doc__)
    parser.add_argument("--database-url", help="default: DATABASE_URL from core.settings")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="create the store tables (idempotent)")
    sample = sub.add_parser("load-sample", help="generate the sample store relative to today and import it")
    sample.add_argument("--seed", type=int, default=42)
    sample.add_argument("--if-empty", action="store_true", help="do nothing when the store already has data")
    sample.add_argument(
        "--output-dir",
        type=Path,
        default=SAMPLE_OUTPUT_DIR,
        help="where the dated CSV exports are written (default: var/sample)",
    )
    own = sub.add_parser("import", help="replace the store with your own Shopify exports")
    own.add_argument("--products", type=Path, required=True)
    own.add_argument("--orders", type=Path)
    own.add_argument("--customers", type=Path)
    own.add_argument("--fulfillments", type=Path)
    own.add_argument("--returns", type=Path)
    own.add_argument(
        "--policies", type=Path, default=SAMPLE_DATA_DIR, help="directory of the policy YAML files"
    )
    sub.add_parser("stats", help="row counts and orders per status")
    agents = sub.add_parser("agents", help="agent console accounts (one password per person)")
    agent_sub = agents.add_subparsers(dest="agents_command", required=True)
    add = agent_sub.add_parser("add", help="create an account; prints its generated password once")
    add.add_argument("name")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin instead")
    reset = agent_sub.add_parser(
        "reset-password", help="give an account a new password (printed once) and end its sessions"
    )
    reset.add_argument("name")
    reset.add_argument("--password-stdin", action="store_true", help="read the password from stdin instead")
    agent_sub.add_parser("list", help="every account and whether it is active")
    for verb in ("disable", "enable"):
        agent_sub.add_parser(verb, help=f"{verb} an account").add_argument("name")
    args = parser.parse_args(argv)
    try:
        engine = make_engine(args.database_url)
        if args.command == "migrate":
            version = create_schema(engine)
            print(f"store schema is at version {version} ({engine.url.render_as_string(hide_password=True)})")
        elif args.command == "load-sample":
            counts = load_sample(
                engine, seed=args.seed, if_empty=args.if_empty, output_dir=args.output_dir, progress=print
            )
            if counts is None:
                print("store already has data; nothing to do (drop --if-empty to reload the sample)")
            else:
                print("loaded the sample store:")
                _print_counts(counts)
        elif args.command == "import":
            files = StoreFiles(
                products=args.products,
                policies=args.policies,
                orders=args.orders,
                customers=args.customers,
                fulfillments=args.fulfillments,
                returns=args.returns,
            )
            counts = import_store(engine, files, today=_store_today(), progress=print)
            print("imported:")
            _print_counts(counts)
        elif args.command == "stats":
            require_schema(engine)
            _print_counts(table_counts(engine))
            print(
                "orders by status: "
                + ", ".join(f"{k} {v}" for k, v in sorted(_status_counts(engine).items()))
            )
        elif args.command == "agents":
            require_schema(engine)
            _agents(engine, args)
    except StoreImportError as exc:
        print(f"import failed, nothing was changed: {exc}", file=sys.stderr)
        return 2
    except (SchemaError, AgentError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        print(f"error: cannot use the database: {str(exc.orig).splitlines()[0]}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(f"error: {type(exc).__name__}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    return 0
