"""Checks of a shop's billing details (the buyer, 购买方, on its invoices).

Tax id (纳税人识别号), kept simple on purpose:

* 18 characters: the unified social credit code (统一社会信用代码, GB 32100-2015), digits and
  capital letters without I, O, Z, S, V, whose last character is the check character of the
  first 17 (weights 3^i mod 31, the standard's own formula), so a mistyped code is refused;
* 15 or 20 characters, digits and capital letters: the tax registration numbers issued before
  the unified code (15) and those of individuals (an 18-digit id number and two more, 20), only
  checked for their shape.

Spaces are dropped and letters capitalised before the check (``tax_id_normalize``).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CREDIT_CODE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE = re.compile(rf"^[{CREDIT_CODE_CHARACTERS}]{{18}}$")
_LEGACY_TAX_ID = re.compile(r"^(?:[0-9A-Z]{15}|[0-9A-Z]{20})$")
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_character(first17: str) -> str:
    """The 18th character of a unified social credit code whose first 17 are ``first17``."""
    total = sum(
        CREDIT_CODE_CHARACTERS.index(char) * weight
        for char, weight in zip(first17, _WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARACTERS[(31 - total % 31) % 31]


def tax_id_normalize(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def validate_tax_id(value: str) -> None:
    """Refuse a tax id that is neither a unified social credit code nor a legacy number."""
    if not value:
        return
    if len(value) == 18:
        if _CREDIT_CODE.match(value) and credit_code_check_character(value[:17]) == value[17]:
            return
        raise ValidationError(
            _(
                "This is not a valid unified social credit code: 18 digits and capital letters "
                "(no I, O, Z, S, V), the last one a check character."
            ),
            code="invalid_tax_id",
        )
    if _LEGACY_TAX_ID.match(value):
        return
    raise ValidationError(
        _(
            "Enter the tax id as the 18-character unified social credit code (or an older "
            "15- or 20-character tax number)."
        ),
        code="invalid_tax_id",
    )
