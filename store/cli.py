"""``python -m store``: migrate, revision, load-sample, import, stats, agents, stock and helpdesk."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Optional, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from alembic.util import CommandError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from core import clock
from store.agents import AgentError
from store.back_in_stock import BackInStockError
from store.db import make_engine, session_scope
from store.helpdesk import list_forwards, retry_forward
from store.importers.errors import StoreImportError
from store.importers.load import StoreFiles, import_store, table_counts
from store.sample.load import SAMPLE_OUTPUT_DIR, load_sample
from store.schema import Migration, SchemaError, migrate, require_schema, write_revision
from store.terminal import import_progress
from store.triggers import stock_changed

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


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[t]} {t.replace('_', ' ')}" for t in SUMMARY_TABLES if t in counts)


def _migrated(done: Migration, engine: Engine) -> str:
    where = engine.url.render_as_string(hide_password=True)
    if done.adopted_version is not None:
        return (
            f"took over the store schema of version {done.adopted_version} as revision {done.before}; "
            f"now at revision {done.after} ({where})"
        )
    if done.before is None:
        return f"created the store schema at revision {done.after} ({where})"
    if done.before == done.after:
        return f"store schema is up to date at revision {done.after} ({where})"
    return f"upgraded the store schema from revision {done.before} to {done.after} ({where})"


def _store_today(policies: Path) -> date:
    """Today in the imported store's time zone (discount dates like ``+7d`` count from it).

    An unreadable ``store.yaml`` falls back to UTC here; the import then reports what is wrong.
    """
    import yaml

    try:
        store = yaml.safe_load((policies / "store.yaml").read_text(encoding="utf-8"))
        zone = ZoneInfo(str(store.get("timezone", "UTC")))
    except (OSError, yaml.YAMLError, AttributeError, ValueError, ZoneInfoNotFoundError):
        zone = ZoneInfo("UTC")
    return clock.now().astimezone(zone).date()


def _status_counts(engine) -> dict[str, int]:
    from sqlalchemy import select

    from store.info import store_timezone
    from store.models import Order
    from store.order_views import order_status
    from store.orders import _LOAD

    counts: dict[str, int] = {}
    with session_scope(engine) as session:
        tz, now = store_timezone(session), clock.now()
        for order in session.execute(select(Order).options(*_LOAD)).scalars():
            status = order_status(order, now=now, tz=tz)
            counts[status] = counts.get(status, 0) + 1
    return counts


def _agents(engine, args: argparse.Namespace) -> None:
    from core.settings import get_settings
    from store import agents

    with session_scope(engine) as session:
        given = sys.stdin.readline().rstrip("\n") if getattr(args, "password_stdin", False) else None
        if args.agents_command == "add":
            api_name = get_settings().agent_api_name
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


def _outbox_list(engine: Engine, args: argparse.Namespace) -> None:
    import dataclasses
    import json

    from store.outbox import list_messages

    with session_scope(engine) as session:
        messages = list_messages(session, status=args.status, limit=args.limit)
    for message in messages:
        if args.json:
            print(json.dumps(dataclasses.asdict(message)))
        else:
            print(
                "\t".join(
                    str(value)
                    for value in (
                        message.id,
                        message.due_at[:16],
                        message.trigger,
                        message.channel,
                        message.recipient,
                        message.status,
                        message.reason or "",
                    )
                )
            )
    if not messages and not args.json:
        print("the outbox is empty")


def _helpdesk(engine: Engine, args: argparse.Namespace) -> None:
    """List the Chatwoot forwards (newest first), or send a failed one again."""
    with session_scope(engine) as session:
        if args.retry is not None:
            if not retry_forward(session, forward_id=args.retry, now=clock.now()):
                raise CommandError(f"forward {args.retry} has not failed (see python -m store helpdesk)")
            print(f"forward {args.retry} will be sent again by the Rasa server within seconds")
            return
        for row in list_forwards(session, status=args.status):
            where = (
                f"chatwoot conversation {row.helpdesk_conversation_id}"
                if row.helpdesk_conversation_id
                else ""
            )
            print(
                f"{row.id}\thandoff {row.handoff_id}\t{row.status}\tattempts {row.attempts}\t"
                f"{where or 'next ' + row.next_attempt_at.isoformat()}\t{row.last_error or ''}".rstrip()
            )


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run one subcommand; returns the process exit code (errors are one line on stderr)."""
    parser = argparse.ArgumentParser(prog="python -m store", description=__doc__)
    parser.add_argument("--database-url", help="default: DATABASE_URL from core.settings")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="create or upgrade the store tables to the newest revision (idempotent)")
    revision = sub.add_parser(
        "revision", help="draft a migration for the models' changes into store/migrations/versions"
    )
    revision.add_argument("-m", "--message", required=True, help="what it changes, in a few words")
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
        "--policies",
        type=Path,
        # Required: a default would quietly give a real store the sample's policies, support
        # contacts and discount codes.
        required=True,
        help="directory of your store.yaml, shipping.yaml, returns.yaml, size_charts.yaml and "
        "discounts.yaml (start from copies of data/store/*.yaml)",
    )
    sub.add_parser("stats", help="row counts and orders per status")
    outbox = sub.add_parser(
        "outbox", help="proactive messages: what was sent, held, skipped or failed, and why"
    )
    outbox_list = outbox.add_subparsers(dest="outbox_command", required=True).add_parser("list")
    outbox_list.add_argument("--json", action="store_true", help="one JSON object per message and line")
    outbox_list.add_argument(
        "--status", help="only messages of this status (queued, held, sent, failed, ...)"
    )
    outbox_list.add_argument("--limit", type=int, default=200)
    stock = sub.add_parser("stock", help="set a variant's stock (back-in-stock alerts are queued)")
    stock_set = stock.add_subparsers(dest="stock_command", required=True).add_parser("set")
    stock_set.add_argument("sku")
    stock_set.add_argument("quantity", type=int)
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
    helpdesk = sub.add_parser("helpdesk", help="handoffs forwarded to Chatwoot: pending, delivered, failed")
    helpdesk.add_argument("--status", choices=("pending", "delivered", "failed"))
    helpdesk.add_argument("--retry", type=int, metavar="ID", help="send a failed forward again")
    args = parser.parse_args(argv)
    try:
        if args.command == "revision":
            path = write_revision(args.message)
            print(f"wrote {path}: read it, then run `python -m store migrate`")
            return 0
        engine = make_engine(args.database_url)
        if args.command == "migrate":
            print(_migrated(migrate(engine), engine))
        elif args.command == "load-sample":
            with import_progress(sys.stderr) as progress:
                counts = load_sample(
                    engine,
                    seed=args.seed,
                    if_empty=args.if_empty,
                    output_dir=args.output_dir,
                    progress=progress,
                )
            if counts is None:
                print("store already has data; nothing to do (drop --if-empty to reload the sample)")
            else:
                print(f"loaded the sample store: {_counts(counts)}")
        elif args.command == "import":
            files = StoreFiles(
                products=args.products,
                policies=args.policies,
                orders=args.orders,
                customers=args.customers,
                fulfillments=args.fulfillments,
                returns=args.returns,
            )
            with import_progress(sys.stderr) as progress:
                counts = import_store(engine, files, today=_store_today(args.policies), progress=progress)
            print(f"imported: {_counts(counts)}")
        elif args.command == "stats":
            require_schema(engine)
            print(_counts(table_counts(engine)))
            print(
                "orders by status: "
                + ", ".join(f"{k} {v}" for k, v in sorted(_status_counts(engine).items()))
            )
        elif args.command == "agents":
            require_schema(engine)
            _agents(engine, args)
        elif args.command == "helpdesk":
            require_schema(engine)
            _helpdesk(engine, args)
        elif args.command == "stock":
            require_schema(engine)
            with session_scope(engine) as session:
                change = stock_changed(session, sku=args.sku, quantity=args.quantity, now=clock.now())
                queued = len(change.queued)
            print(
                f"{args.sku.upper()}: stock {args.quantity}; "
                f"back-in-stock subscriptions now due: {change.due}; messages queued: {queued}"
            )
        elif args.command == "outbox":
            require_schema(engine)
            _outbox_list(engine, args)
    except StoreImportError as exc:
        print(f"import failed, nothing was changed: {exc}", file=sys.stderr)
        return 2
    except (SchemaError, AgentError, CommandError, BackInStockError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        print(f"error: cannot use the database: {str(exc.orig).splitlines()[0]}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(f"error: {type(exc).__name__}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    return 0
