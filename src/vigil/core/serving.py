"""Serving the web app with waitress, and the schema check that guards it.

Used by `vigil serve`, `vigil init` (for its status line) and `vigil demo`, so all three describe the
database and refuse an unmigrated one the same way."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from waitress import create_server

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_THREADS = 8


def describe_database(using: str = DEFAULT_DB_ALIAS) -> str:
    """ "SQLite /path/vigil.sqlite3" or "PostgreSQL database 'vigil' on host:port": never the password."""
    connection = connections[using]
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"{connection.display_name} {params['NAME']}"
    options = params.get("OPTIONS", {})
    # dj-database-url puts a socket directory given as ?host=DIR into OPTIONS rather than HOST.
    host = params.get("HOST") or options.get("host") or "localhost"
    port = params.get("PORT") or options.get("port") or ""
    where = f"{host}:{port}" if port else str(host)
    return f"{connection.display_name} database {params['NAME']!r} on {where}"


def _missing_sqlite_file(connection: BaseDatabaseWrapper) -> Path | None:
    """The SQLite file the settings name, if it does not exist yet. Checked before connecting
    because connecting would create an empty file, which then looks like a database to the user."""
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        return None
    path = Path(name)
    return None if path.exists() else path


def unapplied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """'app_label.migration_name' for every migration the code has and the database lacks, in
    the order `migrate` would apply them."""
    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def schema_problem(using: str = DEFAULT_DB_ALIAS) -> str | None:
    """Why the app cannot serve from this database until `vigil init` has run, or None when the
    schema is up to date. A database that cannot be reached raises DatabaseError: init would not
    help there, so the caller reports it differently."""
    connection = connections[using]
    missing = _missing_sqlite_file(connection)
    if missing is not None:
        return f"there is no database at {missing}"
    pending = unapplied_migrations(using)
    if pending:
        example = ", ".join(pending[:3]) + (", ..." if len(pending) > 3 else "")
        return (
            f"the schema of {describe_database(using)} is not up to date: "
            f"{len(pending)} migration(s) not applied ({example})"
        )
    return None


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serving_message(url: str) -> str:
    # tests/core/test_commands.py reads the URL back from this line (it serves on port 0).
    return f"Vigil is serving on {url} (Ctrl+C stops it)"


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def _sigterm_stops_like_ctrl_c() -> Iterator[None]:
    """Service managers (systemd, docker) and tests stop a server with SIGTERM, whose default kills
    the process mid-request. Raise the KeyboardInterrupt waitress already handles instead, so its
    worker threads stop and database connections close. SIGINT cannot serve for this: a shell
    starting a background job (as CI may) makes the job ignore SIGINT."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    threads: int = DEFAULT_THREADS,
    *,
    trusted_proxy: str | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve vigil.wsgi.application (WhiteNoise inside it serves the static assets) until Ctrl+C
    or SIGTERM. Port 0 picks a free port. `on_ready(url)` runs once the socket is bound (the
    default prints the URL), so a caller such as `vigil demo` can add its own message.

    trusted_proxy: the address of a TLS-terminating proxy in front of Vigil. waitress 3 drops
    X-Forwarded-* headers from anyone else, and settings trust X-Forwarded-Proto when VIGIL_HTTPS
    is on, so without this HTTPS-only settings would redirect every request forever."""
    # WhiteNoise serves from the finders (WHITENOISE_USE_FINDERS) and also from STATIC_ROOT, and
    # warns at start-up when that directory is missing; it is where `collectstatic` would write.
    if settings.STATIC_ROOT:
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

    # Imported only now: importing it builds the WSGI handler and its middleware (WhiteNoise
    # scans the static files), which the schema helpers above must not pay for.
    from vigil.wsgi import application

    adjustments: dict[str, Any] = {"host": host, "port": port, "threads": threads, "ident": "vigil"}
    if trusted_proxy:
        adjustments["trusted_proxy"] = trusted_proxy
        adjustments["trusted_proxy_headers"] = {"x-forwarded-proto", "x-forwarded-for"}
    server = create_server(application, **adjustments)
    # One listening socket gives a TcpWSGIServer; a name such as 'localhost' that resolves to
    # several addresses gives a MultiSocketServer with a list instead.
    listening: list[tuple[str, int]] = getattr(server, "effective_listen", None) or [
        (server.effective_host, server.effective_port)
    ]
    url = _url(str(listening[0][0]), int(listening[0][1]))
    if on_ready is None:
        print(serving_message(url), flush=True)
    else:
        on_ready(url)
    try:
        with _sigterm_stops_like_ctrl_c():
            server.run()  # returns on KeyboardInterrupt/SystemExit, after stopping its worker threads
    finally:
        server.close()
        connections.close_all()
