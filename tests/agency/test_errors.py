"""Service errors: refusals row by row (RowErrors) and refusals of the actor (NotPermitted)."""

import pytest

from agency.access import require_manager
from agency.api import exception_handler
from agency.errors import NotPermitted, RowError, RowErrors


class _Refused(RowErrors):
    def summary(self, count: int) -> str:
        return f"{count} refused"


def test_row_errors_list_the_upload_first_then_the_rows_in_order():
    refused = _Refused(
        [RowError(3, "shop", "c"), RowError(None, None, "a"), RowError(1, None, "b")]
    )
    assert refused.message == "3 refused"
    assert refused.extra == {
        "errors": [
            {"row": None, "field": None, "message": "a"},
            {"row": 1, "field": None, "message": "b"},
            {"row": 3, "field": "shop", "message": "c"},
        ]
    }


def test_row_errors_keep_the_order_of_a_rows_own_errors():
    refused = _Refused(
        [RowError(2, "b", "first"), RowError(1, "a", "x"), RowError(2, "a", "second")]
    )
    assert [error.message for error in refused.errors] == ["x", "first", "second"]


def test_row_errors_list_at_most_a_thousand_and_count_the_rest():
    refused = _Refused([RowError(number, "field", "bad") for number in range(1, 1203)])
    assert len(refused.extra["errors"]) == RowErrors.MAX_REPORTED == 1000
    assert refused.extra["errors_omitted"] == 202
    assert len(refused.errors) == 1202
    assert refused.message == "1202 refused"


def test_not_permitted_answers_403_with_its_message():
    response = exception_handler(NotPermitted("Only agency managers can do this."), {})
    assert response.status_code == 403
    assert response.data == {"detail": "Only agency managers can do this."}


@pytest.mark.django_db
def test_require_manager_refuses_everyone_but_managers_and_the_system(manager, owner_a):
    require_manager(manager)
    require_manager(None)
    with pytest.raises(NotPermitted):
        require_manager(owner_a)


@pytest.mark.django_db
def test_a_service_asked_to_change_a_missing_object_answers_not_found():
    """NotFound (404), in the reader's language, instead of Django's Http404 from a service."""
    from django.utils import translation

    from agency.errors import NotFound
    from billing.services import invoice_pay
    from billing.services.turnover import turnover_confirm

    with pytest.raises(NotFound) as missing:
        invoice_pay(invoice_id=987654, actor=None)
    assert missing.value.status_code == 404 and missing.value.message == "No such invoice."
    with translation.override("zh-hans"), pytest.raises(NotFound) as missing:
        turnover_confirm(report_id=987654, actor=None)
    assert missing.value.message == "没有这份营业额填报。"
