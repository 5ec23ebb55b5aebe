"""What the console says after 重试: what ran again, whether it worked, and what is left to do."""
from __future__ import annotations

from flask import url_for
from markupsafe import Markup, escape

from engine.services.retry_report import RetryOutcome

RERAN = "重试从最后一次成功保存的状态重新运行了该流程：到期的定时器及其后的自动步骤。"


def retry_message(outcome: RetryOutcome) -> tuple[Markup, str]:
    """The flash message (with links to the fixes) and its category."""
    where = escape(outcome.error_element or "—")
    if not outcome.succeeded:
        if outcome.same_error:
            text = Markup("重试未成功：流程再次出错，错误与上次相同（环节 <code>{}</code>：{}）。").format(
                where, outcome.error_message or "")
        else:
            text = Markup("重试未成功：流程出现了新的错误（环节 <code>{}</code>：{}）。").format(
                escape(outcome.new_element or "—"), outcome.new_message or "")
        text += Markup("流程仍处于出错状态，未作任何其他更改。请先修正出错原因（流程定义或案件数据）再重试，"
                       "或处理下方的步骤。") + _fixes(outcome)
        return Markup(RERAN) + text, "error"
    text = Markup("已重试出错的流程，未再出错。") + Markup(RERAN)
    if outcome.open_tasks:
        steps = Markup("、").join(Markup("「{}」（{}）").format(t["title"], t["assignee"] or "待认领")
                                 for t in outcome.open_tasks)
        text += Markup("流程现停在{}。注意：重试不会替办理人重新提交表单；原错误（环节 <code>{}</code>：{}）"
                       "若发生在提交该步骤之后且原因未修正，办理人再次提交同样的内容仍会出错。").format(
            steps, where, outcome.error_message or "")
        text += _fixes(outcome)
    return text, "success"


def _fixes(outcome: RetryOutcome) -> Markup:
    if not outcome.open_tasks:
        return Markup("")
    links = Markup("、").join(Markup('<a href="{}">跳过「{}」…</a>').format(
        url_for("admin.skip_task", task_id=t["id"]), t["title"]) for t in outcome.open_tasks)
    return Markup("可交由办理人按原步骤重新办理（其待办仍在），或{}；已办结的步骤可用下方「退回重新办理」退回办理人。").format(links)
