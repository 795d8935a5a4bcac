"""Generated requests against every operation of /api/schema/: no input gives a 500.

Schemathesis reads the OpenAPI schema the app serves, generates at least 50 cases per operation
(valid and invalid bodies, queries and ids) and sends them in-process through the WSGI app, once
as a manager and once as a shop owner. Every response must be a non-server error that matches the
documented response schema and content type.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from tests.factories import ContractFactory, ManagerFactory, ShopFactory, UserFactory

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
EXAMPLES_PER_OPERATION = 50


# Loaded at collection: the schema is generated from code, no database is involved.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture
def tokens(transactional_db):
    manager = ManagerFactory(username="fuzz-manager")
    owner = UserFactory(username="fuzz-owner")
    shop = ShopFactory(owner=owner, name="店铺 A")
    ContractFactory(shop=shop)
    ShopFactory(owner=UserFactory(username="fuzz-other"), name="Other shop")
    return {
        "manager": AuthToken.objects.create(manager)[1],
        "owner": AuthToken.objects.create(owner)[1],
    }


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.fuzz
@schema.parametrize()
@FUZZ_SETTINGS
def test_no_input_breaks_the_api_for_a_manager(case, tokens):
    case.call_and_validate(headers={"Authorization": f"Token {tokens['manager']}"}, checks=CHECKS)


@pytest.mark.fuzz
@schema.parametrize()
@FUZZ_SETTINGS
def test_no_input_breaks_the_api_for_a_shop_owner(case, tokens):
    case.call_and_validate(headers={"Authorization": f"Token {tokens['owner']}"}, checks=CHECKS)
