"""Formatting for printed documents: Chinese dates, amounts in capitals, and blanks to fill in by hand.

Everything here turns missing data (None, "", an undefined variable) into an empty string or an underlined
blank — a printed legal form must never show "None".
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from markupsafe import Markup

from engine.clock import CHINA_TZ

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")
_FALSE_WORDS = {"", "0", "false", "no", "n", "off", "否", "none", "null"}


def text(value) -> str:
    """The printable text of a value; "" for anything missing."""
    if value is None or _is_undefined(value):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(part for part in (text(item) for item in value) if part)
    return str(value).strip()


def as_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in _FALSE_WORDS
    return bool(value) and not _is_undefined(value)


def _is_undefined(value) -> bool:
    from jinja2 import Undefined
    return isinstance(value, Undefined)


def _moment(value) -> date | datetime | None:
    if isinstance(value, (datetime, date)):
        return value
    raw = text(value)
    if not raw:
        return None
    try:
        if len(raw) <= 10:
            return date.fromisoformat(raw)
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None


def cn_date(value) -> str:
    """2026-03-05 → 2026年3月5日; a datetime (or ISO string with a time) adds 9时30分 in Beijing time.
    Text that is not a date is printed as it is, so a hand-written "2026年3月上旬" survives."""
    moment = _moment(value)
    if moment is None:
        return text(value)
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(CHINA_TZ)
        return f"{moment.year}年{moment.month}月{moment.day}日 {moment.hour}时{moment.minute:02d}分"
    return f"{moment.year}年{moment.month}月{moment.day}日"


def cn_day(value) -> str:
    """Like cn_date but the day only, even for a datetime."""
    moment = _moment(value)
    if moment is None:
        return text(value)
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        moment = moment.astimezone(CHINA_TZ)
    return f"{moment.year}年{moment.month}月{moment.day}日"


def _decimal(value) -> Decimal | None:
    raw = text(value).replace(",", "").replace("，", "").replace("元", "").replace("¥", "").strip()
    if not raw:
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def money(value) -> str:
    """5000 → 5,000.00; text that is not a number is printed as it is."""
    amount = _decimal(value)
    return text(value) if amount is None else f"{amount:,.2f}"


def rmb_upper(value) -> str:
    """5000 → 伍仟元整; 1234.5 → 壹仟贰佰叁拾肆元伍角 (the capitals a decision states beside the figure)."""
    amount = _decimal(value)
    if amount is None or amount < 0 or amount >= Decimal("1e16"):
        return ""
    cents = int((amount * 100).quantize(Decimal("1")))
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    words = (_integer_words(yuan) + "元") if yuan else ""
    if not jiao and not fen:
        return (words or "零元") + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif yuan:
        words += "零"
    if fen:
        words += _DIGITS[fen] + "分"
    return words


def _integer_words(number: int) -> str:
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    words, zero_pending = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero_pending = bool(words)
            continue
        if words and (zero_pending or group < 1000):
            words += "零"
        words += _group_words(group) + _BIG_UNITS[index]
        zero_pending = False
    return words


def _group_words(group: int) -> str:
    words, zero = "", False
    for position in range(3, -1, -1):
        digit = group // 10 ** position % 10
        if digit == 0:
            zero = bool(words)
            continue
        if zero:
            words += "零"
            zero = False
        words += _DIGITS[digit] + _SMALL_UNITS[position]
    return words


def label(value, mapping: dict) -> str:
    """A code from the process (fine, approve, mail …) in Chinese; unknown text is printed as it is."""
    raw = text(value)
    return mapping.get(raw, raw)


def fill(value, width: int = 8) -> Markup:
    """The value, or an underlined blank `width` characters wide to fill in by hand."""
    shown = text(value)
    if not shown:
        return Markup('<span class="blank" style="min-width:{}em"></span>').format(int(width))
    return Markup('<span class="filled">{}</span>').format(shown)


def para(value, lines: int = 3) -> Markup:
    """A block of text keeping its line breaks, or `lines` ruled lines to write on."""
    shown = text(value)
    if not shown:
        return Markup('<div class="ruled">{}</div>').format(Markup('<div class="line"></div>' * int(lines)))
    return Markup('<div class="para">{}</div>').format(shown)


def date_fill(value, time: bool = True) -> Markup:
    """A date in Chinese (with the time of day when it has one and `time`), or 「    年  月  日」 with blanks."""
    shown = cn_date(value) if time else cn_day(value)
    if shown:
        return Markup('<span class="filled">{}</span>').format(shown)
    return Markup('<span class="date"><span class="blank" style="min-width:2.5em"></span>年<span class="blank" '
                  'style="min-width:1.5em"></span>月<span class="blank" style="min-width:1.5em"></span>日</span>')


FILTERS = {"cn_date": cn_date, "cn_day": cn_day, "money": money, "rmb_upper": rmb_upper, "label": label,
           "text": text}
GLOBALS = {"fill": fill, "para": para, "date_fill": date_fill, "as_bool": as_bool}
