"""The unified social credit code (统一社会信用代码, GB 32100-2015) a fapiao names its buyer by.

18 characters from ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (no I, O, S, V, Z); the 18th is the check
character of the first 17: weights 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
sum mod 31, check = (31 - sum mod 31) mod 31. The arithmetic lives with the shop's billing
details (``shops.validators``); this module is the pure yes/no a fapiao request asks.
"""

import re

from shops.validators import CREDIT_CODE_CHARACTERS, credit_code_check_character

_SHAPE = re.compile(rf"^[{CREDIT_CODE_CHARACTERS}]{{18}}$")


def credit_code_normalize(value: object) -> str:
    """Spaces dropped, letters capitalised."""
    return re.sub(r"\s+", "", value).upper() if isinstance(value, str) else ""


def credit_code_is_valid(code: str) -> bool:
    """True when ``code`` (already normalised) is a well-formed code with the right check
    character."""
    return bool(_SHAPE.match(code)) and credit_code_check_character(code[:17]) == code[17]
