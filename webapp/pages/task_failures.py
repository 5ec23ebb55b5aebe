"""A completion that failed on the server: the typed values stay on the page (and in the handler's draft), and
the handler reads in plain words what failed, that the administrator knows, and what to do — never an
exception's text, which is for the administrator's console."""
from __future__ import annotations

from flask import current_app

from engine.errors import EngineFailure
from engine.services.drafts import save_draft
from engine.services.step_failures import report_unexpected_failure, step_title


def failed_completion_message(*, task: dict, values: dict, error: Exception, actor, ctx) -> str:
    element_id, instance_id = None, task.get("instance_id")
    if isinstance(error, EngineFailure):
        element_id, instance_id = error.element_id, error.instance_id or instance_id
    else:
        current_app.logger.exception("completing task %s failed", task["id"], exc_info=error)
        try:
            report_unexpected_failure(task_id=task["id"], error=error, actor=actor, **ctx.deps())
        except Exception:  # the database itself may be what failed; the log keeps it
            current_app.logger.exception("recording the failure of task %s failed", task["id"])
    try:
        step = step_title(instance_id=instance_id, element_id=element_id, uow=ctx.uow(), runner=ctx.runner)
    except Exception:
        step = None
    try:
        save_draft(task_id=task["id"], data=values, actor=actor, **ctx.deps())
        kept = "您填写的内容仍在本页，并已存为草稿。"
    except Exception:  # the task may be gone meanwhile, or the database unreachable
        kept = "您填写的内容仍在本页。"
    where = f"在「{step or task['title']}」环节" if (step or task["title"]) else ""
    return (f"提交「{task['title']}」时，流程{where}出错，本次提交没有生效，案件保持原状。{kept}"
            "系统管理员已收到通知（记录在“管理与监督”的流程错误中）。"
            "请不要反复提交同样的内容：待管理员处理后再提交；如急需办理，请联系系统管理员。")
