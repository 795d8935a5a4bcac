"""``agency.postgresql``: Django's PostgreSQL backend, whose health check asks the connection's
socket before it asks the server ``SELECT 1``."""

import select
import time

import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_base

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
]


@pytest.fixture
def asked(monkeypatch):
    """The ``SELECT 1`` checks Django's own health check runs."""
    calls = []

    def is_usable(self):
        calls.append(self.alias)
        return real(self)

    real = django_base.DatabaseWrapper.is_usable
    monkeypatch.setattr(django_base.DatabaseWrapper, "is_usable", is_usable)
    return calls


@pytest.fixture
def other():
    """A second connection to the test database, as a worker's persistent one."""
    wrapper = connection.copy()
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def test_the_settings_use_the_agencys_backend_on_postgresql():
    from agency.postgresql.base import DatabaseWrapper

    assert isinstance(connections["default"], DatabaseWrapper)
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_an_open_idle_connection_is_usable_without_a_query(other, asked):
    assert other.is_usable() is True
    assert asked == []


def test_a_connection_the_server_ended_is_unusable(other, asked):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [other.connection.info.backend_pid])
    deadline = time.monotonic() + 10
    while not select.select([other.connection.fileno()], [], [], 0.1)[0]:
        assert time.monotonic() < deadline, "the server never closed the connection"
    assert other.is_usable() is False
    assert asked == [other.alias]  # something to read: asked as Django asks


def test_a_connection_in_a_transaction_is_asked(other, asked):
    other.connection.autocommit = False
    other.connection.execute("SELECT 1")  # opens a transaction
    assert other.is_usable() is True
    assert asked == [other.alias]
    other.connection.rollback()


def test_a_closed_connection_is_unusable(other, asked):
    other.connection.close()
    assert other.is_usable() is False
