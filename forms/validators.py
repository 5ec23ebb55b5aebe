"""Validators for Chinese identity numbers."""
from __future__ import annotations

import re

from marshmallow import ValidationError

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def is_resident_id(value: str) -> bool:
    """18-digit resident identity card number (GB 11643) with its check digit."""
    value = value.upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == value[17]


def is_credit_code(value: str) -> bool:
    """18-character unified social credit code (GB 32100) with its check character."""
    value = value.upper()
    if len(value) != 18 or any(ch not in _USCC_CHARS for ch in value):
        return False
    total = sum(_USCC_CHARS.index(ch) * weight for ch, weight in zip(value[:17], _USCC_WEIGHTS))
    check = (31 - total % 31) % 31
    return _USCC_CHARS[check] == value[17]


def validate_id_number(value: str | None) -> None:
    if value and not (is_resident_id(value) or is_credit_code(value)):
        raise ValidationError("证件号码不正确：应为 18 位居民身份证号码或统一社会信用代码，且校验位正确。")
