"""Who may deliver which message to a case, when, and how often.

A BPMN message is how something outside the agency's own steps reaches a case: the party applies for
reconsideration, sues, or asks to pay later. Each message a process receives is declared here; delivering one is a
state change like completing a task, so it is checked like one:
- by whom: the roles of the case's own agency that may register it (a supervisor or a designer changes no case);
- when: a reconsideration or a lawsuit needs a decision to challenge (a penalty or no-penalty decision, a refusal
  to file, a seizure);
- how often: one reconsideration and one lawsuit per decision, and not both at once (行政复议法第二十九条: while
  a reconsideration the reconsideration body accepted runs, no lawsuit; after a lawsuit the court accepted, no
  reconsideration);
- internal messages (a revocation) are thrown only by the outcome of a reconsideration or a lawsuit — they carry
  a ruling that is recorded in that process — and are never delivered from outside.

A message not declared here may be delivered only by an administrator (a repair from the console), and never one
that is internal.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.actors import Actor

# the acts a party (or a complainant) may challenge: a penalty decision of either procedure, a decision not to
# punish (the 处理决定 of the decision form), a refusal to file, a seizure
DECISION_DOCUMENTS = ("penalty_decision", "onsite_penalty_decision", "not_filing_notice", "seizure_decision")
DECISION_OUTCOMES = ("penalty", "no_penalty")


@dataclass(frozen=True)
class MessageRule:
    name: str
    title: str                      # what the staff member registers, as the case page's button says it
    form: str | None                # the form key of what the message carries (forms.remedies.MESSAGE_FORMS)
    roles: frozenset[str] = frozenset({"handler", "head"})
    needs_decision: bool = False    # only once the case has a decision to challenge or pay
    starts: str | None = None       # the process it starts: at most one per case
    excluded_by: tuple[str, ...] = ()  # processes that, once started, rule it out for good
    not_while: tuple[str, ...] = ()    # processes that must have ended first
    internal: str | None = None     # why it is never delivered from outside


RULES: dict[str, MessageRule] = {rule.name: rule for rule in (
    MessageRule("reconsideration_filed", "登记行政复议申请", "reconsideration_received", needs_decision=True,
                starts="reconsideration", excluded_by=("litigation",)),
    MessageRule("lawsuit_filed", "登记行政诉讼", "lawsuit_received", needs_decision=True, starts="litigation",
                not_while=("reconsideration",)),
    MessageRule("payment_deferral_applied", "登记延期（分期）缴纳申请", "payment_deferral_requested",
                needs_decision=True),
    MessageRule("decision_revoked", "决定被撤销", None, roles=frozenset(),
                internal="行政处罚决定的撤销只能由行政复议决定或者人民法院的判决产生，须在复议或诉讼流程中登记结果，"
                         "不能直接登记。"),
)}

PROCESS_TITLES = {"reconsideration": "行政复议", "litigation": "行政诉讼"}


def rule_for(name: str) -> MessageRule | None:
    return RULES.get(name)


def refusal(rule: MessageRule | None, name: str, actor: Actor, *, case_agency_id: int) -> str | None:
    """Why this actor may not deliver the message to a case of that agency (None: they may)."""
    if actor.is_system:
        return None
    if rule is None:
        if actor.has_role("admin"):
            return None
        return f"「{name}」不是可以登记的当事人事项，只有系统管理员可以在管理控制台处理。"
    if rule.internal:
        return rule.internal
    if not actor.has_role(*rule.roles):
        return f"只有本案机关的承办人或负责人可以{rule.title}。"
    if actor.agency_id != case_agency_id:
        return f"不能为其他机关的案件{rule.title}。"
    return None


def state_refusal(rule: MessageRule | None, *, has_decision: bool, processes_run: set[str],
                  processes_running: set[str]) -> str | None:
    """Why the case's state rules the message out now (None: it does not). `processes_run` are the processes
    the case has run or runs; `processes_running` those still active."""
    if rule is None:
        return None
    if rule.needs_decision and not has_decision:
        return f"本案尚未作出行政处罚决定或者其他可以申请复议、提起诉讼的决定，不能{rule.title}。"
    if rule.starts in processes_running:
        return f"本案的{PROCESS_TITLES[rule.starts]}正在办理中，同一决定不能再次{rule.title}。"
    if rule.starts in processes_run:
        return f"本案已经办理过{PROCESS_TITLES[rule.starts]}，同一决定不能再次{rule.title}。"
    for other in rule.excluded_by:
        if other in processes_run:
            return f"当事人已就本决定提起{PROCESS_TITLES[other]}，不能再{rule.title}（行政复议法第二十九条第二款）。"
    for other in rule.not_while:
        if other in processes_running and rule.starts is not None:
            return (f"{PROCESS_TITLES[other]}期间，当事人不得就同一决定提起{PROCESS_TITLES[rule.starts]}"
                    f"（行政复议法第二十九条第一款），请在{PROCESS_TITLES[other]}结束后登记。")
    return None
