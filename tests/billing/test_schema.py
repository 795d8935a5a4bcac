"""The billing endpoints describe themselves in the OpenAPI schema without warnings."""

from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema


def test_billing_api_schema_is_valid_and_generated_without_warnings():
    patterns = [path("api/v1/", include("billing.api_urls"))]
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    assert not GENERATOR_STATS, dict(GENERATOR_STATS._warn_cache) | dict(
        GENERATOR_STATS._error_cache
    )
    validate_schema(schema)
    assert set(schema["paths"]) == {
        "/api/v1/billing/runs/",
        "/api/v1/billing/runs/{id}/",
        "/api/v1/invoices/",
        "/api/v1/invoices/{id}/",
        "/api/v1/invoices/{id}/issue/",
        "/api/v1/invoices/{id}/pay/",
        "/api/v1/invoices/{id}/void/",
        "/api/v1/invoices/{id}/rebill/",
        "/api/v1/invoices/{id}/fapiao-request/",
        "/api/v1/fapiao-requests/",
        "/api/v1/fapiao-requests/{id}/",
        "/api/v1/fapiao-requests/{id}/issue/",
        "/api/v1/fapiao-requests/{id}/cancel/",
        "/api/v1/credit-notes/",
        "/api/v1/credit-notes/{id}/",
        "/api/v1/payments/",
        "/api/v1/payments/{id}/",
        "/api/v1/bank-statements/",
        "/api/v1/bank-statements/{id}/",
        "/api/v1/bank-statements/{id}/lines/{line}/confirm/",
        "/api/v1/bank-statements/{id}/lines/{line}/ignore/",
        "/api/v1/quote/",
        "/api/v1/turnover-reports/{id}/",
        "/api/v1/turnover-reports/{id}/confirm/",
        "/api/v1/shops/{id}/statement/",
        "/api/v1/shops/{id}/statement/pdf/",
        "/api/v1/shops/{id}/statement/xlsx/",
    }


def test_document_and_report_schema_is_valid_and_generated_without_warnings():
    patterns = [path("api/v1/", include("billing.document_urls"))]
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    assert not GENERATOR_STATS, dict(GENERATOR_STATS._warn_cache) | dict(
        GENERATOR_STATS._error_cache
    )
    validate_schema(schema)
    assert set(schema["paths"]) == {
        "/api/v1/invoices/export/",
        "/api/v1/invoices/{id}/pdf/",
        "/api/v1/credit-notes/{id}/pdf/",
        "/api/v1/shops/{id}/invoices/export/",
        "/api/v1/reports/seat-profitability/",
        "/api/v1/reports/seat-profitability/export/",
        "/api/v1/reports/revenue-by-plan/export/",
        "/api/v1/reports/revenue-by-month/export/",
        "/api/v1/reports/receivables/",
        "/api/v1/reports/receivables/export/",
    }
    receivables = schema["paths"]["/api/v1/reports/receivables/"]["get"]
    assert [p["name"] for p in receivables["parameters"]] == ["as_of"]
    assert set(receivables["responses"]) == {"200", "400", "401", "403"}
