"""The portal's invoice page: the owner requests a fapiao and then reads its status."""

import pytest
from django.urls import reverse

from billing.models import FapiaoRequest

pytestmark = pytest.mark.django_db
VALID = "91350100M000100Y43"


def _url(invoice) -> str:
    return reverse("portal:invoice", kwargs={"pk": invoice.pk})


def test_an_issued_invoice_offers_the_fapiao_form_with_both_types(owner_a_client, served_a):
    content = owner_a_client.get(_url(served_a.invoice)).content.decode()
    assert "Request a fapiao" in content
    assert "专票" in content and "普票" in content


def test_the_owner_requests_a_fapiao_and_sees_its_status(owner_a_client, served_a):
    invoice = served_a.invoice
    response = owner_a_client.post(
        _url(invoice), {"type": "general", "buyer_name": "杭州小店有限公司", "tax_id": VALID}
    )
    assert response.status_code == 302
    request = FapiaoRequest.objects.get(invoice=invoice)
    assert request.status == "requested"
    content = owner_a_client.get(_url(invoice)).content.decode()
    assert "Requested" in content
    assert VALID in content
    assert 'name="tax_id"' not in content


def test_a_wrong_credit_code_shows_on_its_field(owner_a_client, served_a):
    response = owner_a_client.post(
        _url(served_a.invoice),
        {"type": "special", "buyer_name": "杭州小店有限公司", "tax_id": "91350100M000100Y44"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "not a valid unified social credit code" in content
    assert not FapiaoRequest.objects.exists()


def test_another_owner_cannot_request_a_fapiao(owner_b_client, served_a):
    response = owner_b_client.post(
        _url(served_a.invoice), {"type": "general", "buyer_name": "x", "tax_id": VALID}
    )
    assert response.status_code == 404
    assert not FapiaoRequest.objects.exists()


def test_a_manager_previewing_sees_no_form_and_cannot_post(manager_client, served_a):
    assert b'name="tax_id"' not in manager_client.get(_url(served_a.invoice)).content
    response = manager_client.post(
        _url(served_a.invoice), {"type": "general", "buyer_name": "x", "tax_id": VALID}
    )
    assert response.status_code == 403
