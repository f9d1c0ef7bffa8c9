"""The store's schema, kept by Alembic migrations: ``python -m store migrate`` and the start-up check.

Revisions live in ``store/migrations/versions`` (how to add one: ``store/migrations/README``); the
database records the one it is at in Alembic's ``alembic_version`` table. Everything is configured
here, in code, so the migrations run the same from any working directory and against the engine
they are given (SQLite or PostgreSQL).

Before Alembic, ``migrate`` ran ``create_all`` and wrote a number into a ``schema_version`` table, so
an added column was recorded as migrated without existing. Such a database at version 2 holds
exactly the baseline revision's tables: ``migrate`` stamps it at the baseline, drops the old table
and upgrades it like any other, keeping its data.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Iterator, Optional, Sequence

from alembic import command
from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import column, func, inspect, select, table
from sqlalchemy.engine import Connection, Engine

from store.db import make_engine
from store.models import Base
from store.models.base import NAMING_CONVENTION

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSIONS_DIR = MIGRATIONS_DIR / "versions"
BASELINE = "c19bd19064ce"
"""The first revision: the schema the ``create_all`` code recorded as version 2."""
LEGACY_VERSION_TABLE = "schema_version"
LEGACY_BASELINES = {2: BASELINE}
"""Pre-Alembic schema versions that a revision describes exactly (version 1 lacked ``agents``)."""


class SchemaError(RuntimeError):
    """The database schema is missing, behind the code, or from code this one does not know."""


@dataclass(frozen=True)
class Migration:
    """What :func:`migrate` did: the revision before (``None``: no schema) and after."""

    before: Optional[str]
    after: str
    adopted_version: Optional[int] = None
    """The pre-Alembic ``schema_version`` the database was taken over from, if it was."""


def alembic_config(*, version_dirs: Sequence[Path] = (VERSIONS_DIR,)) -> Config:
    """Alembic's configuration for the store, without an ``alembic.ini``.

    Args:
        version_dirs: where revisions are read from; a test adds a temporary folder of its own.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(str(d) for d in version_dirs))
    # Files sort by date; "%%" because Alembic's options go through ConfigParser interpolation.
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    # New revisions come out formatted and import-sorted like the rest of the code.
    config.set_section_option("post_write_hooks", "hooks", "ruff_format ruff_fix")
    for hook, options in (("ruff_format", "format --quiet"), ("ruff_fix", "check --fix --quiet")):
        config.set_section_option("post_write_hooks", f"{hook}.type", "module")
        config.set_section_option("post_write_hooks", f"{hook}.module", "ruff")
        config.set_section_option(
            "post_write_hooks", f"{hook}.options", f"{options} REVISION_SCRIPT_FILENAME"
        )
    return config


def head_revision(config: Optional[Config] = None) -> str:
    """The newest revision of the code.

    Raises:
        SchemaError: the revisions have more than one head (two branches each added one).
    """
    heads = ScriptDirectory.from_config(config or alembic_config()).get_heads()
    if len(heads) != 1:
        raise SchemaError(
            f"the store migrations have {len(heads)} heads ({', '.join(sorted(heads))}): "
            "point one revision's down_revision at the other"
        )
    return heads[0]


def _recorded_revision(connection: Connection, config: Config) -> Optional[str]:
    """The revision the database says it is at; ``None`` when it has no Alembic version."""
    current = MigrationContext.configure(connection).get_current_heads()
    if not current:
        return None
    script = ScriptDirectory.from_config(config)
    for revision in current:
        try:
            script.get_revision(revision)
        except CommandError:
            raise SchemaError(
                f"the store database is at revision {revision}, which this code does not know "
                "(newer code migrated it): run that code or a newer one"
            ) from None
    return current[0]


def _legacy_version(connection: Connection) -> Optional[int]:
    """The pre-Alembic ``schema_version`` of the database, or ``None``."""
    if not inspect(connection).has_table(LEGACY_VERSION_TABLE):
        return None
    version = column("version")
    return connection.execute(select(func.max(version)).select_from(table(LEGACY_VERSION_TABLE))).scalar()


def _name_sqlite_constraints(connection: Connection) -> None:
    """Give a pre-migration SQLite database's constraints the names the baseline gives them.

    ``create_all`` left them unnamed on SQLite (PostgreSQL named them itself, the same way), and a
    later revision can only drop or change a constraint it can name. Each table is copied once.
    """
    operations = Operations(MigrationContext.configure(connection))
    for name in inspect(connection).get_table_names():
        if name in Base.metadata.tables:
            with operations.batch_alter_table(name, recreate="always", naming_convention=NAMING_CONVENTION):
                pass


@contextmanager
def _migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection whose work is committed only if the whole migration succeeds.

    On SQLite, batch operations copy a table and drop the original. With foreign keys on, that
    drop is an implicit ``DELETE`` that cascades to every child row (drop ``orders`` and the line
    items go with it), so they are off while migrating and checked before committing. The pragma
    only takes effect outside a transaction, hence first thing and after the rollback.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            yield connection
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise SchemaError(
                        f"the migration left {len(broken)} rows whose foreign key points nowhere "
                        f"(first in table {broken[0][0]}); nothing was committed"
                    )
            connection.commit()
        finally:
            connection.rollback()
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def migrate(engine: Engine, *, config: Optional[Config] = None) -> Migration:
    """Bring the store schema to the newest revision (idempotent), adopting a pre-Alembic database.

    Args:
        engine: the database to migrate.
        config: from :func:`alembic_config`; a test passes one with extra revisions.

    Raises:
        SchemaError: the database is at a revision this code does not know, is a pre-Alembic
            database at a version no revision describes, or holds store tables with no version.
    """
    config = config or alembic_config()
    head = head_revision(config)
    adopted: Optional[int] = None
    with _migration_connection(engine) as connection:
        config.attributes["connection"] = connection
        before = _recorded_revision(connection, config)
        if before is None:
            adopted = _legacy_version(connection)
            if adopted is not None:
                if adopted not in LEGACY_BASELINES:
                    raise SchemaError(
                        f"the store database is at pre-migration schema version {adopted}, which no "
                        "revision describes: load it again with `python -m store import`"
                    )
                before = LEGACY_BASELINES[adopted]
                if connection.dialect.name == "sqlite":
                    _name_sqlite_constraints(connection)
                command.stamp(config, before)
                connection.exec_driver_sql(f"DROP TABLE {LEGACY_VERSION_TABLE}")
            elif set(inspect(connection).get_table_names()) & set(Base.metadata.tables):
                raise SchemaError(
                    "the store database has store tables but no schema revision, so it was not made "
                    "by `python -m store migrate`: start from an empty database"
                )
        command.upgrade(config, "head")
    return Migration(before=before, after=head, adopted_version=adopted)


def require_schema(engine: Engine, *, config: Optional[Config] = None) -> None:
    """Raise :class:`SchemaError` with a one-line hint unless the schema is at the newest revision."""
    config = config or alembic_config()
    head = head_revision(config)
    with engine.connect() as connection:
        current = _recorded_revision(connection, config)
        legacy = _legacy_version(connection) if current is None else None
    if current is None and legacy is not None:
        raise SchemaError(
            f"the store database predates migrations (schema version {legacy}): run `python -m store migrate`"
        )
    if current is None:
        raise SchemaError("the store database has no schema: run `python -m store migrate`")
    if current != head:
        raise SchemaError(
            f"the store schema is at revision {current}, the code needs {head}: run `python -m store migrate`"
        )


def write_revision(
    message: str, *, config: Optional[Config] = None, version_path: Optional[Path] = None
) -> Path:
    """Draft a revision from the difference between the models and the newest revision.

    The comparison runs against a scratch SQLite database brought to the head revision, so the
    store's own database is never touched and need not be current. Read the draft before
    committing it: autogenerate cannot tell a rename from a drop and an add, for one.

    Args:
        message: what the revision does, in a few words (also the file name's end).
        config: from :func:`alembic_config`.
        version_path: the folder to write to (default: the head revision's folder).

    Returns:
        The path of the new revision file.
    """
    config = config or alembic_config()
    with TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'scratch.db'}")
        try:
            migrate(engine, config=config)
            with engine.connect() as connection:
                config.attributes["connection"] = connection
                script = command.revision(
                    config,
                    message=message,
                    autogenerate=True,
                    version_path=str(version_path) if version_path else None,
                )
        finally:
            engine.dispose()
    if script is None or isinstance(script, list):
        raise SchemaError("alembic wrote no single revision")
    return Path(script.path)
