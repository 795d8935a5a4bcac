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
        "/api/v1/payments/",
        "/api/v1/payments/{id}/",
        "/api/v1/bank-statements/",
        "/api/v1/bank-statements/{id}/",
        "/api/v1/bank-statements/{id}/lines/{line}/confirm/",
        "/api/v1/bank-statements/{id}/lines/{line}/ignore/",
        "/api/v1/quote/",
        "/api/v1/turnover-reports/{id}/",
        "/api/v1/turnover-reports/{id}/confirm/",
    }
