"""What the schema states, the API enforces: bounds, types and empty values are refused with a
400 naming the parameter or field; other content types are a 415; unknown methods a 405; and
every operation documents the errors it can answer (agency.schema.document_error_responses)."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.factories import ManagerFactory, ShopFactory


@pytest.fixture
def api(db):
    client = APIClient()
    client.force_authenticate(ManagerFactory())
    return client


@pytest.fixture(scope="module")
def openapi():
    return SchemaGenerator().get_schema(public=True)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=last", "page"),
        ("page_size=0", "page_size"),
        ("page_size=501", "page_size"),
        ("page_size=null", "page_size"),
    ],
)
def test_pages_past_their_bounds_are_a_400_naming_the_parameter(api, query, name):
    response = api.get(f"/api/v1/shops/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [name]


def test_the_largest_page_size_and_a_page_past_the_last_keep_their_answers(api):
    ShopFactory()
    assert api.get("/api/v1/shops/?page_size=500").json()["count"] == 1
    assert api.get("/api/v1/shops/?page=2").status_code == 404


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/shops/?q=", "q"),
        ("/api/v1/reports/receivables/?as_of=", "as_of"),
        ("/api/v1/workloads/?shift=", "shift"),
        ("/api/v1/workloads/?shop=1.5", "shop"),
        ("/api/v1/workloads/?shop=one", "shop"),
        ("/api/v1/handover-notes/?acknowledged=null", "acknowledged"),
        ("/api/v1/sub-accounts/?to_revoke=2", "to_revoke"),
    ],
)
def test_empty_values_fractional_ids_and_null_booleans_are_a_400_naming_the_parameter(
    api, url, name
):
    response = api.get(url)
    assert response.status_code == 400
    assert name in response.json()


def test_whole_ids_and_true_false_filters_are_read(api):
    assert api.get("/api/v1/workloads/?shop=-1").status_code == 200
    assert api.get("/api/v1/handover-notes/?acknowledged=false").status_code == 200


def test_a_body_other_than_json_is_a_415(api):
    response = api.post(
        "/api/v1/shops/", "name=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert "detail" in response.json()


def test_an_unknown_method_is_a_405_even_with_a_format_parameter(api):
    response = api.generic("TRACE", "/api/v1/workloads/template/?format=csv")
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "S1", "name": "Seat", "overhead": 800}, "overhead"),
        ({"code": 1, "name": "Seat", "overhead": "800.00"}, "code"),
    ],
)
def test_a_json_number_for_text_or_money_is_a_400_naming_the_field(api, body, field):
    response = api.post("/api/v1/seats/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_number_for_a_boolean_is_a_400_naming_the_field(api):
    response = api.post(
        "/api/v1/qa-items/", {"name": "Greets", "weight": 5, "fatal": 0}, format="json"
    )
    assert response.status_code == 400
    assert "fatal" in response.json()


def test_every_operation_documents_its_errors_in_one_shape(openapi):
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if operation.get("security") != [{}]:
                assert {"401", "403"} <= set(responses), (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "415"} <= set(responses), (method, path)
            for code, response in responses.items():
                if code.startswith("4"):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema["$ref"].endswith(("/Error", "/BadRequest")), (method, path)


def test_decimal_month_page_and_date_rules_are_stated(openapi):
    decimal = re.compile(
        openapi["components"]["schemas"]["SeatInputRequest"]["properties"]["overhead"]["pattern"]
    )
    assert decimal.match("800.00") and decimal.match(".5")
    assert not any(decimal.match(value) for value in ("", "-", ".", "-1"))
    parameters = {
        parameter["name"]: parameter["schema"]
        for parameter in openapi["paths"]["/api/v1/reports/seat-profitability/"]["get"][
            "parameters"
        ]
    }
    assert re.match(parameters["month"]["pattern"], "2026-10")
    assert not re.match(parameters["month"]["pattern"], "2026-13")
    pages = {
        parameter["name"]: parameter["schema"]
        for parameter in openapi["paths"]["/api/v1/shops/"]["get"]["parameters"]
    }
    assert pages["page"]["minimum"] == 1
    assert (pages["page_size"]["minimum"], pages["page_size"]["maximum"]) == (1, 500)


def test_text_fields_and_query_parameters_state_the_characters_they_refuse(openapi):
    seat = openapi["components"]["schemas"]["SeatInputRequest"]["properties"]
    single_line = re.compile(seat["code"]["pattern"])
    assert single_line.match("S-01 座席") and not single_line.match("S\x0201")
    query = {
        parameter["name"]: parameter["schema"]
        for parameter in openapi["paths"]["/api/v1/shops/"]["get"]["parameters"]
    }
    assert query["q"]["minLength"] == 1
    assert not re.match(query["q"]["pattern"], "a\nb")


def test_an_id_filter_past_64_bits_is_a_400_on_every_database(api):
    response = api.get(f"/api/v1/workloads/?shop={2**63}")
    assert response.status_code == 400
    assert "shop" in response.json()


def test_a_filter_value_with_a_control_character_is_a_400_even_at_its_end(api):
    response = api.get("/api/v1/shops/?owner=%C3%88%09")
    assert response.status_code == 400
    assert "owner" in response.json()


_METHODS = ("get", "post", "put", "patch", "delete")


def test_every_method_an_operation_does_not_document_is_a_405_with_its_allow_header(api, openapi):
    """What schemathesis' ``unsupported_method`` and ``allow_header_conformance`` checks ask (its
    coverage phase is off in the fuzz tests): on every path, each method the schema does not
    document is a 405 whose ``Allow`` names the documented ones, for ids that do not exist too."""
    checked = 0
    for path, operations in openapi["paths"].items():
        documented = {method for method in operations if method in _METHODS}
        url = re.sub(r"\{[^}]+\}", "999999", path)
        for method in sorted(set(_METHODS) - documented):
            response = api.generic(method.upper(), url)
            assert response.status_code == 405, (method, path, response.status_code)
            allowed = {name.strip().lower() for name in response["Allow"].split(",")}
            assert documented <= allowed, (method, path, response["Allow"])
            checked += 1
    assert checked > 100


def test_no_operation_requires_a_header(openapi):
    """What ``missing_required_header`` would test: no operation takes a required header (the
    optional ``Idempotency-Key`` aside, authentication is the security scheme's)."""
    required = [
        (method, path, parameter["name"])
        for path, operations in openapi["paths"].items()
        for method, operation in operations.items()
        if method in _METHODS
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "header" and parameter.get("required")
    ]
    assert required == []
