"""Engine settings that make SQLite safe for a web app with several threads."""

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry

_READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def _is_sqlite(dbapi_connection: DBAPIConnection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: DBAPIConnection, connection_record: ConnectionPoolEntry) -> None:
    if not _is_sqlite(dbapi_connection):
        return
    # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn: Connection) -> None:
    if conn.dialect.name != "sqlite":
        return
    # Requests that may write take the write lock up front, so a read-then-write
    # race waits on the busy timeout instead of failing on upgrade; reads stay shared.
    read_only = has_request_context() and request.method in _READ_METHODS
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
