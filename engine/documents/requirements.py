"""Which facts the law requires each document to state — the one place that says so.

A document whose required fact the record lacks is not issued at all (the step that issues it is refused), so
no decision goes out with a blank where the party's address or the reconsideration body must be. What a form
requires is checked by the form; this covers what comes from elsewhere: the agency's settings and the case.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .formatting import as_bool, text

AGENCY_SETTINGS = "请管理员在 管理与监督 › 机关 中填写"


@dataclass(frozen=True)
class Fact:
    key: str  # the error's field name: a form field where the step's form can supply it
    label: str
    missing: str  # 「本机关尚未设置复议机关」
    remedy: str
    value: Callable[[dict], object]  # read from the template variables

    def message(self, title: str) -> str:
        return f"{self.missing}，无法制作{title}：{self.remedy}。"


def _agency(name: str, label: str) -> Fact:
    return Fact(key=f"agency.{name}", label=label, missing=f"本机关尚未设置{label}", remedy=AGENCY_SETTINGS,
                value=lambda variables: variables["agency"].get(name))


FACTS: dict[str, Fact] = {fact.key: fact for fact in (
    Fact("party_name", "当事人姓名或者名称", "案件未登记当事人的姓名或者名称", "请在案源登记中填写",
         lambda v: v["party"].get("name")),
    Fact("party_address", "当事人住所（住址）", "案件未登记当事人的住所（住址）",
         "请在本步骤的「当事人住所（住址）」一栏填写", lambda v: v["party"].get("address")),
    Fact("place", "处罚地点", "未记录当场处罚的地点", "请在本步骤的「处罚地点」一栏填写", lambda v: v["place"]),
    Fact("correction_content", "责令改正的内容", "未记录责令改正的内容", "请在本步骤的「责令改正内容」一栏填写",
         lambda v: v["data"].get("correction_content")),
    Fact("correction_deadline", "改正期限", "未记录改正期限", "请在本步骤的「改正期限」一栏填写",
         lambda v: v["data"].get("correction_deadline")),
    _agency("reconsideration_body", "复议机关"),
    _agency("litigation_court", "管辖行政诉讼的人民法院"),
    _agency("payment_bank", "罚款收款银行"),
    _agency("payment_account_name", "罚款收款账户户名"),
    _agency("payment_account_number", "罚款收款账号"),
    _agency("seal_text", "印章文字"),
)}

# When a requirement applies, by name; every condition reads the template variables only.
CONDITIONS: dict[str, Callable[[dict], bool]] = {
    "always": lambda v: True,
    # a fine the party pays into the bank (行政处罚法第六十七条), not one collected on the spot (第六十八条)
    "fine_to_pay": lambda v: bool(v["fine"]) and not as_bool(v["data"].get("paid_on_spot")),
}

PAYMENT = tuple((key, "fine_to_pay") for key in (
    "agency.payment_bank", "agency.payment_account_name", "agency.payment_account_number"))
REMEDIES = (("agency.reconsideration_body", "always"), ("agency.litigation_court", "always"))

# 行政处罚法第五十九条: name and address, facts and evidence (form), kind and basis (form), how and by when to pay,
# the ways and periods of remedy, the agency and date — and its seal.
# 第五十二条: the on-the-spot decision states the act, kind and basis, amount, time, place, the remedies, the
# agency's name, and is signed by the officers.
REQUIRED_FACTS: dict[str, tuple[tuple[str, str], ...]] = {
    "penalty_decision": (("party_name", "always"), ("party_address", "always"), *REMEDIES, *PAYMENT,
                         ("agency.seal_text", "always")),
    "onsite_penalty_decision": (("party_name", "always"), ("place", "always"), *REMEDIES, *PAYMENT,
                                ("agency.seal_text", "always")),
    # 第二十八条第一款: what the party must correct and by when
    "correction_order": (("party_name", "always"), ("correction_content", "always"), ("correction_deadline", "always"),
                         ("agency.seal_text", "always")),
    "demand_notice": PAYMENT,  # 行政强制法第三十五条: 履行义务的方式
    # 行政强制法第二十四条: name and address, reason, basis and period, what is seized, remedies, agency and seal
    "seizure_decision": (("party_name", "always"), ("party_address", "always"), *REMEDIES,
                         ("agency.seal_text", "always")),
    "preservation_release": (("party_name", "always"), ("agency.seal_text", "always")),
    "seizure_release": (("party_name", "always"), ("agency.seal_text", "always")),
    "preservation_notice": (("party_name", "always"), ("agency.seal_text", "always")),
    "not_filing_notice": (("agency.seal_text", "always"),),
}


def missing_facts(kind: str, variables: dict) -> list[Fact]:
    """The facts document `kind` must state that `variables` (see render.template_variables) lack."""
    missing = []
    for key, condition in REQUIRED_FACTS.get(kind, ()):
        fact = FACTS[key]
        if CONDITIONS[condition](variables) and not text(fact.value(variables)):
            missing.append(fact)
    return missing
