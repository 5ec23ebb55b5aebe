"""流程设计: the process designer (bpmn-js modeler, served by the app), version history, diffs and migration.

Thin views: the pages render what engine.services.designer returns; the editor talks to the JSON API
(webapp/api/designer_api.py) with the session cookie and the CSRF header.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import DefinitionProblem, DomainError, ValidationFailed
from engine.services import designer, migration
from engine.specs.vocabulary import designer_vocabulary

from ..auth import current_actor, roles_required
from ..context import engine_context
from ..filters import INSTANCE_STATUS_TITLES

designer_blueprint = Blueprint("designer", __name__, url_prefix="/designer")
DESIGNERS = designer.DESIGNING_ROLES


@designer_blueprint.get("/")
@roles_required(*DESIGNERS)
def index():
    with engine_context().uow() as uow:
        processes = designer.list_processes(uow.session)
    return render_template("designer/index.html", processes=processes)


@designer_blueprint.post("/new")
@roles_required(*DESIGNERS)
def new_process():
    try:
        draft_id = designer.new_draft(process_id=request.form.get("process_id", ""), name=request.form.get("name", ""),
                                      actor=current_actor(), **engine_context().deps())
    except ValidationFailed as exc:
        for messages in (exc.fields or {}).values():
            for message in messages:
                flash(message, "error")
        return redirect(url_for("designer.index"))
    return redirect(url_for("designer.editor", draft_id=draft_id))


@designer_blueprint.post("/import")
@roles_required(*DESIGNERS)
def import_file():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("请选择要导入的 .bpmn 文件。"), "error")
        return redirect(url_for("designer.index"))
    try:
        draft_id = designer.import_draft(filename=upload.filename, xml=upload.read(), actor=current_actor(),
                                         **engine_context().deps())
    except DefinitionProblem as exc:
        flash(_("无法导入 %(name)s：%(problem)s", name=upload.filename, problem=exc.problems[0]["message"]), "error")
        return redirect(url_for("designer.index"))
    return redirect(url_for("designer.editor", draft_id=draft_id))


@designer_blueprint.post("/processes/<process_id>/open")
@roles_required(*DESIGNERS)
def open_process(process_id: str):
    draft_id = designer.open_draft(process_id=process_id, version=request.form.get("version", type=int),
                                   actor=current_actor(), **engine_context().deps())
    return redirect(url_for("designer.editor", draft_id=draft_id))


@designer_blueprint.get("/drafts/<int:draft_id>")
@roles_required(*DESIGNERS)
def editor(draft_id: int):
    with engine_context().uow() as uow:
        draft = designer.get_draft(uow.session, draft_id)
    settings = {
        "draft": {key: draft[key] for key in ("id", "process_id", "name", "lock_version", "base_version",
                                              "latest_version", "problems")},
        "urls": {"draft": url_for("api.get_draft", draft_id=draft_id),
                 "validate": url_for("api.validate_draft", draft_id=draft_id),
                 "deploy": url_for("api.deploy_draft", draft_id=draft_id),
                 "forms": url_for("api.list_forms"),
                 "process": url_for("designer.process_page", process_id=draft["process_id"])},
        "vocabulary": designer_vocabulary(),
        "text": editor_texts(),
    }
    return render_template("designer/editor.html", draft=draft, settings=settings)


@designer_blueprint.post("/drafts/<int:draft_id>/discard")
@roles_required(*DESIGNERS)
def discard(draft_id: int):
    with engine_context().uow() as uow:
        process_id = designer.get_draft(uow.session, draft_id)["process_id"]
    designer.discard_draft(draft_id=draft_id, actor=current_actor(), **engine_context().deps())
    flash(_("已放弃草稿。"), "success")
    try:
        with engine_context().uow() as uow:
            designer.process_history(uow.session, process_id)
        return redirect(url_for("designer.process_page", process_id=process_id))
    except DomainError:
        return redirect(url_for("designer.index"))


@designer_blueprint.get("/processes/<process_id>")
@roles_required(*DESIGNERS)
def process_page(process_id: str):
    ctx = engine_context()
    with ctx.uow() as uow:
        history = designer.process_history(uow.session, process_id)
        versions = [v["version"] for v in history["versions"]]
        diff = None
        old, new = request.args.get("from", type=int), request.args.get("to", type=int)
        if old is None and len(versions) > 1:
            old, new = versions[1], versions[0]
        if old in versions and new in versions and old != new:
            diff = designer.version_diff(uow.session, process_id, old, new)
        jobs = [migration.job_progress(uow.session, job_id, now=ctx.clock.now())
                for job_id in migration.latest_jobs(uow.session, process_id)]
    settings = {"process_id": process_id, "latest_version": versions[0] if versions else None,
                "urls": {"dry_run": url_for("api.migration_dry_run", process_id=process_id),
                         "jobs": url_for("api.start_migration"),
                         "job": url_for("api.migration_progress", job_id=0).rsplit("/", 1)[0] + "/",
                         "case": url_for("pages.show_case", case_id=0).rsplit("/", 1)[0] + "/"},
                "active_job": next((job["id"] for job in jobs if job["status"] in ("queued", "running")), None),
                "text": migration_texts()}
    return render_template("designer/process.html", history=history, diff=diff, diff_from=old, diff_to=new,
                           jobs=jobs, settings=settings, deployed=request.args.get("deployed", type=int))


def editor_texts() -> dict:
    return {
        "saved": _("已保存"), "saving": _("正在保存…"), "unsaved": _("有未保存的修改"), "valid": _("校验通过，可以部署"),
        "problems": _("个问题"), "conflict": _("保存冲突"), "deployed": _("已部署为第 %(v)s 版", v="{v}"),
        "unchanged": _("内容与第 %(v)s 版相同，没有生成新版本", v="{v}"), "comment_required": _("请填写本次修改的说明"),
        "nothing_selected": _("选中图中的元素以编辑其属性；未选中时编辑流程本身。"),
        "id": _("编号"), "name": _("名称"), "documentation": _("说明"), "form": _("表单"), "no_form": _("（请选择表单）"),
        "lane": _("泳道"), "role": _("角色"), "no_lane": _("不在任何泳道中：用户任务须放入角色泳道"),
        "timer": _("定时"), "timer_kind": _("计时方式"), "deadline": _("法定期限到期"),
        "deadline_warning": _("法定期限临期提醒"), "iso_date": _("固定时刻（ISO-8601）"),
        "iso_duration": _("时长（ISO-8601）"), "iso_cycle": _("循环（ISO-8601）"), "expression": _("表达式"),
        "deadline_key": _("期限目录"), "warn_days": _("提前工作日（留空按目录）"), "condition": _("条件（Python 表达式）"),
        "default_flow": _("默认分支"), "script": _("脚本（Python）"), "duty": _("职责"), "check": _("办理校验"),
        "document": _("生成文书"), "none": _("（无）"), "executable": _("可执行"), "process": _("流程"),
        "properties": _("任务属性"), "role_lane_hint": _("泳道名称决定由哪个角色办理该泳道中的用户任务"),
        "unknown_role": _("（不是角色名称）"), "deploy_failed": _("无法部署：请先修正标出的问题"),
        "export_failed": _("导出失败"), "import_failed": _("无法打开该文件"), "leave": _("有未保存的修改，确定离开？"),
        "message": _("消息名称"),
    }


def migration_texts() -> dict:
    return {
        "can": _("可以迁移"), "cannot": _("不能迁移"), "none": _("没有运行在旧版本上的实例。"),
        "queued": _("排队中"), "running": _("迁移中"), "done": _("已完成"), "interrupted": _("已中断"),
        "migrated": _("已迁移"), "skipped": _("未迁移"), "failed": _("失败"), "pending": _("待处理"),
        "select_some": _("请至少选择一个可以迁移的实例"), "resume": _("继续"), "case": _("案件"),
        "version": _("版本"), "status": _("状态"), "current": _("当前位置"), "verdict": _("结论"),
        "statuses": {status: _(title) for status, title in INSTANCE_STATUS_TITLES.items()},
    }
