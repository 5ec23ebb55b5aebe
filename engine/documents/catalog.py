"""The enforcement documents (执法文书) the system prints: title, document-number word and template of each kind."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentKind:
    key: str
    title: str
    number_word: str  # 文号用字: 东城综执「罚决字」〔2026〕12号
    template: str

    def as_json(self) -> dict:
        return {"key": self.key, "title": self.title, "number_word": self.number_word}


def _kind(key: str, title: str, number_word: str) -> DocumentKind:
    return DocumentKind(key=key, title=title, number_word=number_word, template=f"{key}.html")


DOCUMENT_KINDS: dict[str, DocumentKind] = {kind.key: kind for kind in (
    _kind("filing_approval_form", "立案审批表", "立审字"),
    _kind("inspection_record", "现场检查（勘验）笔录", "检录字"),
    _kind("inquiry_record", "询问笔录", "询录字"),
    _kind("investigation_report", "案件调查终结报告", "调终字"),
    _kind("legal_review_opinion", "法制审核意见书", "法审字"),
    _kind("prior_notice", "行政处罚事先告知书", "罚告字"),
    _kind("hearing_notice", "听证通知书", "听通字"),
    _kind("hearing_record", "听证笔录", "听录字"),
    _kind("penalty_decision", "行政处罚决定书", "罚决字"),
    _kind("correction_order", "责令（限期）改正通知书", "责改字"),
    _kind("onsite_penalty_decision", "当场行政处罚决定书", "当罚字"),
    _kind("service_receipt", "送达回证", "送证字"),
    _kind("preservation_notice", "先行登记保存通知书", "保存字"),
    _kind("seizure_decision", "查封（扣押）决定书", "封扣字"),
    DocumentKind("preservation_release", "解除先行登记保存决定书", "解保字", "release_decision.html"),
    DocumentKind("seizure_release", "解除查封（扣押）决定书", "解封字", "release_decision.html"),
    _kind("not_filing_notice", "不予立案告知书", "不立字"),
    _kind("referral_letter", "案件移送函", "移送字"),
    _kind("crime_transfer_letter", "涉嫌犯罪案件移送书", "刑移字"),
    _kind("demand_notice", "催告书", "催告字"),
    _kind("closing_approval_form", "结案审批表", "结审字"),
)}

# A kind listed on a task is issued only when the record says the act it documents happened: every field of one
# of these alternatives has one of its values in the task's data. Kinds not named here are issued whenever their
# task completes.
ISSUED_WHEN: dict[str, tuple[dict[str, frozenset], ...]] = {
    "penalty_decision": ({"decision": frozenset({None, "penalty"})},),  # not for 不予处罚 or a transfer to police
    # 行政处罚法第二十八条第一款: issued with the decision when it orders the party to correct the violation
    "correction_order": ({"correction_ordered": frozenset({"yes"})},),
    "preservation_notice": ({"evidence_preserved": frozenset({"yes"})},),
    "seizure_decision": ({"seized": frozenset({"yes"})},),
    "preservation_release": ({"preservation_result": frozenset({"release"})},),
    "seizure_release": ({"seizure_result": frozenset({"release"})},),
    # the complainant told in writing that the lead, approved as not to be filed, is not filed
    "not_filing_notice": ({"recommendation": frozenset({"not_file"}), "approval": frozenset({"approve"}),
                           "reply_method": frozenset({"letter"})},),
}


def issued_for(key: str, data: dict) -> bool:
    """Whether the document `key`, listed on a completed task, documents something that task's data records."""
    alternatives = ISSUED_WHEN.get(key)
    return alternatives is None or any(all(data.get(field) in values for field, values in alternative.items())
                                       for alternative in alternatives)


PARTY_KINDS = {"person": "自然人", "organisation": "法人或其他组织"}

PENALTY_KINDS = {
    "warning": "警告",
    "fine": "罚款",
    "confiscation": "没收违法所得、没收非法财物",
    "suspension": "暂扣许可证件、责令停产停业",
    "revocation": "吊销许可证件",
    "no_penalty": "不予行政处罚",
}

REVIEW_CONCLUSIONS = {
    "approve": "同意（事实清楚、证据确凿、适用依据正确、程序合法、处罚适当）",
    "revise": "建议修改后再行决定",
    "reject": "不同意",
}

ADOPTION = {"adopted": "予以采纳", "partly": "部分予以采纳", "rejected": "不予采纳"}

SERVICE_METHODS = {
    "direct": "直接送达",
    "in_person": "直接送达",
    "lodged": "留置送达",
    "mail": "邮寄送达",
    "post": "邮寄送达",
    "electronic": "电子送达",
    "entrusted": "委托送达",
    "transferred": "转交送达",
    "announcement": "公告送达",
    "public_notice": "公告送达",
}


def get_kind(key: str) -> DocumentKind:
    """The kind named `key`; a KeyError names the known kinds, so a typo in a process shows at once."""
    try:
        return DOCUMENT_KINDS[key]
    except KeyError:
        raise KeyError(f"unknown document kind {key!r}; known: {', '.join(DOCUMENT_KINDS)}") from None
