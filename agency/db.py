"""Cursors for the SQL that every API request runs again: the token look-up and the lean
lists' counts and pages (``agency.authentication``, ``agency.api``).

Django's PostgreSQL cursors bind parameters on the client: each query reaches the server as
new text, which PostgreSQL parses and plans every time (0.1-0.3 ms for a list's page or the
token look-up's three tables, a good part of a small page's database time). A cursor that
sends the parameters apart from the SQL (psycopg's own ``Cursor``, "server-side binding") lets
psycopg prepare a statement that a connection runs for the fifth time, and PostgreSQL then
runs it without parsing or planning it again. Only SQL compiled by Django from querysets runs
here (plain ``SELECT``\\ s, whose parameters PostgreSQL can bind), and through Django's cursor
wrapper, so that its errors, query log and ``execute_wrapper`` hooks are as ever.

Elsewhere (SQLite, psycopg 2) it is Django's own cursor."""

from contextlib import contextmanager

from django.db import NotSupportedError, connections
from django.db.backends.postgresql.psycopg_any import is_psycopg3


@contextmanager
def bound_cursor(using: str):
    """A cursor of the ``using`` connection that binds parameters on the server, where it can.

    A statement prepared on a connection is refused by PostgreSQL once a migration changed the
    type of a column it reads (``cached plan must not change result type``), for as long as
    that connection lives: the connection is then closed at the end of the request (Django's
    ``close_at``), so that one request fails rather than every request on it."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not is_psycopg3:
        with connection.cursor() as cursor:
            yield cursor
        return
    from django.db.backends.postgresql import base

    # What ``connection.cursor()`` does, with psycopg's server-binding cursor class.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = base.ServerBindingCursor(connection.connection)
        zone = connection.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, base.Format.TEXT)
        if connection.timezone != zone.timezone:
            base.register_tzloader(connection.timezone, cursor)
    if connection.queries_logged:
        wrapped = connection.make_debug_cursor(cursor)
    else:
        wrapped = connection.make_cursor(cursor)
    try:
        with wrapped:
            yield wrapped
    except NotSupportedError:
        connection.close_at = 0  # a past moment: closed by close_old_connections()
        raise
