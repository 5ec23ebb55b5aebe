"""Choice lists and rules shared by several forms."""
from __future__ import annotations

YES_NO = (("yes", "是"), ("no", "否"))
PENALTY_KINDS = (
    ("warning", "警告、通报批评"),
    ("fine", "罚款"),
    ("confiscation", "没收违法所得、没收非法财物"),
    ("suspension", "暂扣许可证件、降低资质等级"),
    ("revocation", "吊销许可证件、限制开展生产经营活动、责令停产停业、责令关闭"),
    ("no_penalty", "不予行政处罚"),
)
SERVICE_METHODS = (
    ("direct", "直接送达"), ("on_spot", "当场交付"), ("left_at_residence", "留置送达"), ("mail", "邮寄送达"),
    ("electronic", "电子送达（经当事人同意）"), ("entrusted", "委托送达"), ("public_notice", "公告送达"),
)
SUMMARY_FINE_LIMITS = {"person": 200, "organisation": 3000}  # 行政处罚法第五十一条


def required_when(field: str, *, when: str, equals, message: str):
    """A rule: `field` must be filled when `when` has the value `equals`."""
    def rule(data: dict, context: dict):
        if data.get(when) == equals and data.get(field) in (None, "", []):
            return {field: message}
        return None
    return rule


def fine_required_for_fine(kind_field: str, amount_field: str):
    def rule(data: dict, context: dict):
        if data.get(kind_field) == "fine" and not data.get(amount_field):
            return {amount_field: "处以罚款的，须填写罚款金额。"}
        return None
    return rule


def within_discretion(amount_field: str):
    """The fine must lie within the discretion benchmark range (裁量基准) recorded in the investigation report."""
    def rule(data: dict, context: dict):
        amount = data.get(amount_field)
        found = {**(context.get("data") or {}), **data}
        low, high = found.get("discretion_min"), found.get("discretion_max")
        if amount is None or low is None or high is None:
            return None
        if not float(low) <= float(amount) <= float(high):
            return {amount_field: f"罚款金额应在裁量基准范围 {float(low):g} 至 {float(high):g} 元之内。"}
        return None
    return rule
