"""Input hygiene: control characters, years 2000-2100, JSON errors on the API.

The text and year rules are taught to the base field classes (``agency.input_rules``); the tests
below walk every serializer, form and admin form of the project so that a new one that slips
past the rule (a field class that overrides the hook, say) fails here.
"""

import datetime as dt
import importlib
import json
import pkgutil

import pytest
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory, override_settings
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as DrfValidationError

from agency.input_rules import (
    forbidden_character,
    form_field_is_multi_line,
    serializer_field_is_multi_line,
)
from agency.views import server_error
from tests.factories import AgentFactory, ShopFactory

PROJECT_PACKAGES = ("agency", "shops", "seats", "payroll", "billing", "web", "portal", "desk")
SKIPPED_MODULE_PARTS = ("migrations", "settings", "management", "wsgi", "asgi", "celery")

SINGLE_LINE_REFUSED = ["\x00", "a\r\nb", "\u202e", "a\tb", "a\x1bb", "a\x85b", "a\u2028b"]
MULTI_LINE_REFUSED = ["\x00", "a\x1bb", "a\x7fb", "\u202e"]


def _import_project_modules() -> None:
    for package_name in PROJECT_PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            if any(part in module.name.split(".") for part in SKIPPED_MODULE_PARTS):
                continue
            importlib.import_module(module.name)


def _project_subclasses(base: type) -> list[type]:
    _import_project_modules()
    found, todo = set(), [base]
    while todo:
        for subclass in todo.pop().__subclasses__():
            if subclass not in found:
                found.add(subclass)
                todo.append(subclass)
    return sorted(
        (cls for cls in found if cls.__module__.split(".")[0] in PROJECT_PACKAGES),
        key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
    )


def _writable_serializer_char_fields(serializer, prefix=""):
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.BaseSerializer):
            child = getattr(field, "child", field)
            yield from _writable_serializer_char_fields(child, f"{prefix}{name}.")
        elif isinstance(field, serializers.ListField) and isinstance(
            field.child, serializers.CharField
        ):
            yield f"{prefix}{name}[]", field.child
        elif isinstance(field, serializers.CharField):
            yield f"{prefix}{name}", field


def _serializer_char_fields() -> list[tuple[str, serializers.CharField]]:
    fields = []
    for cls in _project_subclasses(serializers.BaseSerializer):
        if cls.__name__ in {"ListSerializer"} or cls.__module__ == "rest_framework.serializers":
            continue
        serializer = cls(context={"request": None})
        label = f"{cls.__module__}.{cls.__qualname__}"
        fields += [
            (f"{label}.{name}", field)
            for name, field in _writable_serializer_char_fields(serializer)
        ]
    return fields


def _form_char_fields() -> list[tuple[str, forms.CharField]]:
    fields = []
    for cls in _project_subclasses(forms.BaseForm):
        label = f"{cls.__module__}.{cls.__qualname__}"
        fields += [
            (f"{label}.{name}", field)
            for name, field in cls.base_fields.items()
            if isinstance(field, forms.CharField) and not field.disabled
        ]
    return fields


def _admin_char_fields(superuser) -> list[tuple[str, forms.CharField]]:
    request = RequestFactory().get("/admin/")
    request.user = superuser
    fields = []
    for model, model_admin in admin.site._registry.items():
        admins = [model_admin] + model_admin.get_inline_instances(request)
        for each in admins:
            form = (
                each.get_form(request)
                if isinstance(each, admin.ModelAdmin)
                else each.get_formset(request).form
            )
            label = f"admin:{model._meta.label}:{type(each).__name__}"
            fields += [
                (f"{label}.{name}", field)
                for name, field in form.base_fields.items()
                if isinstance(field, forms.CharField) and not field.disabled
            ]
    return fields


def _serializer_field_refuses(field: serializers.CharField, value: str) -> bool:
    try:
        field.run_validation(value)
    except DrfValidationError:
        return True
    return False


def _form_field_refuses(field: forms.CharField, value: str) -> bool:
    try:
        field.clean(value)
    except ValidationError:
        return True
    return False


def _is_multi_line_form_field(field: forms.Field) -> bool:
    return form_field_is_multi_line(field)


# --- Control characters: every single-line field refuses them ------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("value", SINGLE_LINE_REFUSED)
def test_every_single_line_serializer_field_refuses_control_characters(value):
    fields = _serializer_char_fields()
    assert len(fields) > 50, "the walk found the project's serializers"
    accepted = [
        name
        for name, field in fields
        if not serializer_field_is_multi_line(field) and not _serializer_field_refuses(field, value)
    ]
    assert accepted == []


@pytest.mark.django_db
@pytest.mark.parametrize("value", MULTI_LINE_REFUSED)
def test_every_multi_line_serializer_field_refuses_nul_and_other_control_characters(value):
    multi_line = [
        (name, field)
        for name, field in _serializer_char_fields()
        if serializer_field_is_multi_line(field)
    ]
    assert len(multi_line) >= 5, "the briefings, notes and reasons"
    assert [name for name, field in multi_line if not _serializer_field_refuses(field, value)] == []


@pytest.mark.django_db
def test_a_serializer_field_named_like_a_models_text_field_takes_several_lines():
    """A briefing, a note or a reason typed on the web keeps its line breaks through the API."""
    from django.apps import apps
    from django.db import models

    project_fields = [
        field
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_PACKAGES
        for field in model._meta.get_fields()
    ]
    # A name that is a one-line field elsewhere ("reason" of a leave) says nothing.
    text_field_names = {
        field.name
        for field in project_fields
        if isinstance(field, models.TextField) and field.name != "error"
    } - {field.name for field in project_fields if type(field) is models.CharField}
    single_line = [
        name
        for name, field in _serializer_char_fields()
        if field.field_name in text_field_names
        and field.style.get("base_template") != "textarea.html"
    ]
    assert single_line == []


@pytest.mark.parametrize("value", SINGLE_LINE_REFUSED)
def test_every_single_line_form_field_refuses_control_characters(value):
    fields = _form_char_fields()
    assert len(fields) > 30, "the walk found the project's forms"
    accepted = [
        name
        for name, field in fields
        if not _is_multi_line_form_field(field) and not _form_field_refuses(field, value)
    ]
    assert accepted == []


@pytest.mark.parametrize("value", MULTI_LINE_REFUSED)
def test_every_multi_line_form_field_refuses_nul_and_other_control_characters(value):
    multi_line = [
        (name, field) for name, field in _form_char_fields() if _is_multi_line_form_field(field)
    ]
    assert len(multi_line) >= 5
    assert [name for name, field in multi_line if not _form_field_refuses(field, value)] == []


@pytest.mark.django_db
@pytest.mark.parametrize("value", SINGLE_LINE_REFUSED)
def test_every_single_line_admin_field_refuses_control_characters(value, django_user_model):
    superuser = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    fields = _admin_char_fields(superuser)
    assert len(fields) > 20, "the walk found the admin's forms"
    accepted = [
        name
        for name, field in fields
        if not _is_multi_line_form_field(field) and not _form_field_refuses(field, value)
    ]
    assert accepted == []


def test_multi_line_fields_keep_line_breaks_and_tabs():
    assert (
        forms.CharField(widget=forms.Textarea).clean("line 1\r\n\tline 2") == "line 1\r\n\tline 2"
    )
    field = serializers.CharField(style={"base_template": "textarea.html"})
    assert field.run_validation("line 1\n\tline 2") == "line 1\n\tline 2"


def test_ordinary_text_is_accepted_in_a_single_line_field():
    assert (
        forms.CharField().clean("杭州小米旗舰店 (Tmall) – 100%") == "杭州小米旗舰店 (Tmall) – 100%"
    )
    assert forbidden_character("Zoë's shop, 第2号") is None


@pytest.mark.django_db
def test_a_shop_name_with_cr_lf_is_a_400_naming_the_field_and_is_not_stored(manager_api):
    shop = ShopFactory()

    response = manager_api.patch(
        f"/api/v1/shops/{shop.pk}/", {"name": "Evil\r\nBcc: x@example.com"}, format="json"
    )

    assert response.status_code == 400
    assert "U+000D" in response.json()["name"][0]
    shop.refresh_from_db()
    assert "\n" not in shop.name


@pytest.mark.django_db
def test_a_shop_briefing_keeps_its_line_breaks_through_the_api(manager_api):
    shop = ShopFactory()

    response = manager_api.patch(
        f"/api/v1/shops/{shop.pk}/", {"briefing": "Line 1\nLine 2"}, format="json"
    )

    assert response.status_code == 200, response.json()
    shop.refresh_from_db()
    assert shop.briefing == "Line 1\nLine 2"


@pytest.mark.django_db
def test_the_control_character_message_is_in_chinese_for_a_chinese_client(manager_api):
    shop = ShopFactory()

    response = manager_api.patch(
        f"/api/v1/shops/{shop.pk}/",
        {"name": "a\u202eb"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 400
    assert "控制字符" in response.json()["name"][0]


# --- Years 2000-2100 ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
def test_dates_outside_2000_to_2100_are_refused_by_serializers_and_forms(value):
    with pytest.raises(DrfValidationError):
        serializers.DateField().run_validation(value)
    with pytest.raises(ValidationError):
        forms.DateField().clean(value)
    with pytest.raises(DrfValidationError):
        serializers.DateTimeField().run_validation(f"{value}T10:00:00+08:00")
    with pytest.raises(ValidationError):
        forms.DateTimeField().clean(f"{value} 10:00")


@pytest.mark.parametrize("value", ["2000-01-01", "2026-11-30", "2100-12-31"])
def test_dates_from_2000_to_2100_are_accepted(value):
    assert serializers.DateField().run_validation(value) == dt.date.fromisoformat(value)
    assert forms.DateField().clean(value) == dt.date.fromisoformat(value)


@pytest.mark.django_db
def test_turnover_for_month_0001_01_is_a_400_naming_the_month(manager_api):
    shop = ShopFactory()

    response = manager_api.post(
        "/api/v1/turnover-reports/",
        {"shop": shop.pk, "month": "0001-01", "amount": "1000.00"},
        format="json",
    )

    assert response.status_code == 400
    assert "2000" in response.json()["month"][0]


@pytest.mark.django_db
def test_a_billing_run_for_9999_12_is_a_400_naming_the_month(manager_api):
    response = manager_api.post("/api/v1/billing/runs/", {"month": "9999-12"}, format="json")

    assert response.status_code == 400
    assert "2100" in response.json()["month"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/payments/", "received_from"),
        ("/api/v1/credit-notes/", "issued_to"),
        ("/api/v1/reports/receivables/", "as_of"),
    ],
)
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_a_date_filter_outside_2000_to_2100_is_a_400_naming_the_parameter(
    manager_api, path, parameter, value
):
    response = manager_api.get(path, {parameter: value})

    assert response.status_code == 400
    assert parameter in response.json()


# --- API errors are JSON -------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_an_api_body_over_the_limit_is_a_413_in_json(manager_api):
    body = json.dumps({"name": "x" * 5000})

    response = manager_api.post("/api/v1/shops/", data=body, content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "1000" in response.json()["detail"]


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_an_api_body_over_the_limit_without_a_declared_length_is_a_413_in_json(manager_api):
    """Django stops the body while it is read (form fields past the limit): the same answer.
    (Multipart is read only by the file uploads; every other body is JSON.)"""
    response = manager_api.post(
        "/api/v1/workloads/bulk/", data={"note": "x" * 5000}, format="multipart"
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


@pytest.mark.django_db
@override_settings(API_UPLOAD_MAX_BYTES=2000)
def test_an_api_file_over_the_upload_limit_is_a_413_in_json(manager_api):
    upload = SimpleUploadedFile("workloads.csv", b"a,b\n" * 1000, content_type="text/csv")

    response = manager_api.post(
        "/api/v1/workloads/bulk/", data={"file": upload}, format="multipart"
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_the_413_is_in_chinese_for_a_chinese_client(manager_api):
    body = json.dumps({"name": "x" * 5000})

    response = manager_api.post(
        "/api/v1/shops/",
        data=body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 413
    assert "请求" in response.json()["detail"]


@pytest.mark.django_db
def test_malformed_json_on_the_api_is_a_400_in_json(manager_api):
    response = manager_api.post("/api/v1/shops/", data='{"name": ', content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


@pytest.mark.django_db
def test_an_unknown_api_address_is_a_404_in_json(manager_api):
    response = manager_api.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_server_error_on_the_api_is_a_500_in_json_and_html_elsewhere():
    factory = RequestFactory()

    api = server_error(factory.get("/api/v1/shops/"))
    page = server_error(factory.get("/shops/"))

    assert api.status_code == 500
    assert json.loads(api.content)["detail"]
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_page_body_over_the_limit_stays_an_html_error(client):
    response = client.post("/accounts/login/", data={"username": "x" * 5000, "password": "x"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31"])
def test_a_workload_row_dated_before_2000_is_refused_naming_its_row_and_date(manager_api, day):
    shop = ShopFactory()
    agent = AgentFactory()
    row = {
        "agent": agent.pk,
        "shop": shop.pk,
        "date": day,
        "shift": "day",
        "inquiries": 80,
        "conversions": 30,
        "buyer_messages": 400,
        "agent_messages": 520,
        "first_response_seconds": 25,
        "sales_amount": "12000.50",
    }

    response = manager_api.post("/api/v1/workloads/bulk/", [row], format="json")

    assert response.status_code == 400
    assert [(error["row"], error["field"]) for error in response.json()["errors"]] == [(1, "date")]


# --- No user input reaches a format string -------------------------------------------------------


def _api_list_routes_with_filters() -> list[tuple[str, list[str]]]:
    from django.urls import get_resolver
    from django.urls.resolvers import URLResolver

    routes = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
                continue
            path = prefix + str(pattern.pattern)
            if "<" in path or "(?P" in path or not path.startswith("api/v1/"):
                continue
            view = getattr(pattern.callback, "cls", None)
            filterset = getattr(view, "filterset_class", None)
            if filterset is not None:
                routes.append(("/" + path, sorted(filterset.base_filters)))

    walk(get_resolver().url_patterns, "")
    return routes


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["%s", "%(x)s", "{0}", "{x}", "%d-%s"])
def test_no_filter_value_reaches_a_format_string(manager_api, value):
    routes = _api_list_routes_with_filters()
    assert len(routes) > 10, "the walk found the API's filtered lists"
    crashed = []
    for path, parameters in routes:
        for parameter in parameters:
            response = manager_api.get(path, {parameter: value})
            if response.status_code >= 500:
                crashed.append((path, parameter))
    assert crashed == []


# --- The same on pages and in the admin ---------------------------------------------------------


@pytest.mark.django_db
def test_a_shop_name_with_cr_lf_on_the_manager_page_is_a_form_error_and_the_briefing_keeps_lines(
    client, manager, owner_a
):
    from django.urls import reverse

    from shops.models import Shop

    client.force_login(manager)
    form = {
        "owner": owner_a.pk,
        "name": "Moon\r\nCakes",
        "platform": "jd",
        "status": "prospect",
        "daily_inquiries_estimate": "0",
        "briefing": "Ships from Suzhou.\r\nNo returns on food.",
    }

    refused = client.post(reverse("web:shop-create"), form)
    saved = client.post(reverse("web:shop-create"), {**form, "name": "Moon Cakes"})

    assert refused.status_code == 200
    assert "U+000D" in refused.context["form"].errors["name"][0]
    assert saved.status_code == 302
    assert Shop.objects.get().briefing == "Ships from Suzhou.\r\nNo returns on food."


@pytest.mark.django_db
def test_a_shop_name_with_a_bidi_override_in_the_admin_is_a_form_error(admin_client):
    shop = ShopFactory(name="Moon Cakes")

    response = admin_client.post(
        f"/admin/shops/shop/{shop.pk}/change/",
        {"name": "Moon \u202eekaC", "platform": shop.platform, "owner": shop.owner_id},
    )

    assert response.status_code == 200
    assert "U+202E" in str(response.context["adminform"].form.errors["name"])
    shop.refresh_from_db()
    assert shop.name == "Moon Cakes"
