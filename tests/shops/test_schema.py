"""The shops endpoints describe themselves in the OpenAPI schema without warnings.

One turnover report (its correction, its confirmation) is billing's: see
tests/billing/test_schema.py."""

from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema


def test_shops_api_schema_is_valid_and_generated_without_warnings():
    patterns = [path("api/v1/", include("shops.api_urls"))]
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    assert not GENERATOR_STATS, dict(GENERATOR_STATS._warn_cache) | dict(
        GENERATOR_STATS._error_cache
    )
    validate_schema(schema)
    assert set(schema["paths"]) == {
        "/api/v1/shops/",
        "/api/v1/shops/{id}/",
        "/api/v1/shops/{id}/dsr/",
        "/api/v1/shops/{id}/dsr/trend/",
        "/api/v1/contracts/",
        "/api/v1/contracts/{id}/",
        "/api/v1/turnover-reports/",
        "/api/v1/dsr-ratings/",
        "/api/v1/dsr-ratings/{id}/",
    }
    one_or_many = schema["components"]["schemas"]["DsrRatingOneOrManyRequest"]["oneOf"]
    assert one_or_many[1]["type"] == "array"
