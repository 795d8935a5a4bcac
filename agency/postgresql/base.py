"""Django's PostgreSQL backend, its health check answered without a query where it can be.

With ``CONN_HEALTH_CHECKS`` (the settings turn it on), Django asks a persistent connection
``SELECT 1`` before the first query of every request: a round trip, and some 0.3 ms of a small
API page's Python, to learn whether the server closed it since the last request (a restart, an
idle timeout, a terminated backend). A server that closes a connection says so on its socket
(its last message, then the end of the stream), so an idle connection whose socket has nothing
to read is still open, and is used without asking. Anything else (something to read, a
transaction left open or failed, psycopg 2) is asked ``SELECT 1`` as Django asks it.
"""

import select

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import is_psycopg3


def _quiet(connection) -> bool:
    """Whether this idle psycopg 3 connection is open, with nothing from the server to read."""
    from psycopg.pq import TransactionStatus

    if connection.closed or connection.broken:
        return False
    if connection.info.transaction_status != TransactionStatus.IDLE:
        return False
    try:
        readable, _, _ = select.select([connection.fileno()], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is not None and is_psycopg3 and _quiet(self.connection):
            return True
        return super().is_usable()
