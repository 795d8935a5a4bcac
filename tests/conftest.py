"""The named cast of every test: a manager and two shop owners, each with a shop."""

import pytest
from django.utils import translation
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient

from agency.access import is_agent
from tests.factories import ManagerFactory, ShopFactory, UserFactory

# Property tests are bounded by their examples, never by the clock: on a busy machine (CI under
# faketime, two workers on two CPUs) generating or running an example may take seconds.
settings.register_profile("agency", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("agency")


@pytest.fixture(autouse=True)
def _no_language_left_over():
    """A request activates its language in the test's thread and leaves it there; every test
    starts and ends in the default language, whatever ran before it in this process."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def manager(db):
    return ManagerFactory(username="manager")


@pytest.fixture
def owner_a(db):
    return UserFactory(username="owner_a")


@pytest.fixture
def owner_b(db):
    return UserFactory(username="owner_b")


@pytest.fixture
def shop_a(owner_a):
    return ShopFactory(owner=owner_a, name="Shop A")


@pytest.fixture
def shop_b(owner_b):
    return ShopFactory(owner=owner_b, name="Shop B")


def _client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        # A signed-in request's user arrives knowing whether it is an agent
        # (agency.backends.ModelBackend); force_authenticate skips that, so ask once here.
        is_agent(user)
        client.force_authenticate(user=user)
    return client


@pytest.fixture
def api():
    """Anonymous API client."""
    return APIClient()


@pytest.fixture
def manager_api(manager):
    return _client_for(manager)


@pytest.fixture
def owner_a_api(owner_a):
    return _client_for(owner_a)


@pytest.fixture
def owner_b_api(owner_b):
    return _client_for(owner_b)
