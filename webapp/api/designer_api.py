"""Process definitions, drafts and migrations for the designer page and for automation.

`POST /process-definitions` takes a multipart `file` (and an optional `comment`) and answers 201
`{id, process_id, version}`, or 422 `{"error": {"code", "message", "problems": [{"element_id", "message"}]}}`
naming every problem; only designers and admins may deploy.
"""
from __future__ import annotations

from flask import Response, request

from engine.errors import DefinitionProblem, ValidationFailed
from engine.services import designer, migration

from ..auth import current_actor
from ..context import engine_context
from . import api_blueprint, json_body, ok, operation
from .schemas import (
    AnyObject, DefinitionVersion, Discarded, DiffQuery, Draft, DraftBody, DraftDeployBody, DraftSaved, DraftXmlBody,
    DryRunBody, MigrationJob, MigrationJobBody, ProcessList, Problems,
)
from .validation import load

UPLOAD = {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary"}, "comment": {"type": "string", "maxLength": 500}}}}}
BPMN_FILE = {"response": {"application/xml": {"schema": {"type": "string"}}}}
DESIGN_ERRORS = (401, 403, 404, 409, 422)


def _version_json(row) -> dict:
    return {"id": row.id, "process_id": row.process_id, "version": row.version, "name": row.name}


def _upload() -> tuple[str, bytes]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed("请上传 BPMN 文件（表单字段 file）。", fields={"file": ["此项为必填项。"]})
    return upload.filename, upload.read()


@api_blueprint.get("/process-definitions")
@operation("已部署的流程及其版本", response=ProcessList, errors=(401,))
def list_definitions():
    with engine_context().uow() as uow:
        processes = designer.list_processes(uow.session)
        for process in processes:
            if process["latest_version"] is not None:
                process["versions"] = designer.process_history(uow.session, process["process_id"])["versions"]
            else:
                process["versions"] = []
        return ok({"processes": processes})


@api_blueprint.post("/process-definitions")
@operation("上传 BPMN 文件并部署为新版本（相同内容不重复部署，返回 200）", response=DefinitionVersion, status=201,
           also=(200,), content=UPLOAD, errors=(400, 401, 403, 413, 422))
def deploy_definition():
    designer.require_designer(current_actor())
    filename, data = _upload()
    ctx = engine_context()
    row, created = designer.deploy_upload(filename=filename, xml=data, comment=request.form.get("comment"),
                                          actor=current_actor(), **ctx.deps(runner=True))
    return ok({**_version_json(row), "created": created}, 201 if created else 200)


@api_blueprint.get("/process-definitions/<process_id>")
@operation("一个流程的版本历史", response=AnyObject)
def definition_history(process_id: str):
    with engine_context().uow() as uow:
        return ok(designer.process_history(uow.session, process_id))


@api_blueprint.get("/process-definitions/<process_id>/versions/<int:version>.bpmn")
@operation("导出某一版本的 BPMN 文件", content=BPMN_FILE)
def export_version(process_id: str, version: int):
    with engine_context().uow() as uow:
        row = designer.definition_version(uow.session, process_id, version)
        return _bpmn_file(row.bpmn_xml, f"{process_id}.v{version}.bpmn")


@api_blueprint.get("/process-definitions/<process_id>/diff")
@operation("两个版本之间的差异", query=DiffQuery, response=AnyObject)
def definition_diff(process_id: str, query: dict):
    old, new = query["from_"], query["to"]
    with engine_context().uow() as uow:
        return ok(designer.version_diff(uow.session, process_id, old, new))


# -- drafts ----------------------------------------------------------------------------------------------------

@api_blueprint.post("/process-drafts")
@operation("打开、新建或导入一份草稿", response=Draft, status=201, errors=(400, 401, 403, 404, 409, 413, 422),
           content={"application/json": {"schema": DraftBody}, **UPLOAD})
def create_draft():
    """JSON `{process_id, version?}` opens a deployed process; `{process_id, name, new: true}` starts a new one;
    a multipart `file` imports a .bpmn file from any tool."""
    ctx = engine_context()
    if request.files:
        filename, data = _upload()
        draft_id = designer.import_draft(filename=filename, xml=data, actor=current_actor(), **ctx.deps())
    else:
        body = load(DraftBody, json_body())
        if body["new"]:
            draft_id = designer.new_draft(process_id=body["process_id"], name=body.get("name") or "",
                                          actor=current_actor(), **ctx.deps())
        else:
            draft_id = designer.open_draft(process_id=body["process_id"], version=body.get("version"),
                                           actor=current_actor(), **ctx.deps())
    return get_draft(draft_id, status=201)


@api_blueprint.get("/process-drafts/<int:draft_id>")
@operation("一份草稿", response=Draft, errors=(401, 403, 404))
def get_draft(draft_id: int, status: int = 200):
    designer.require_designer(current_actor())
    with engine_context().uow() as uow:
        return ok(designer.get_draft(uow.session, draft_id), status)


@api_blueprint.put("/process-drafts/<int:draft_id>")
@operation("保存草稿（lock_version 防止覆盖他人的修改）", body=DraftXmlBody, response=DraftSaved,
           errors=DESIGN_ERRORS)
def save_draft(draft_id: int, body: dict):
    ctx = engine_context()
    return ok(designer.save_draft(draft_id=draft_id, xml=_xml(body), lock_version=_lock(body),
                                  actor=current_actor(), **ctx.deps()))


@api_blueprint.post("/process-drafts/<int:draft_id>/validate")
@operation("检查 BPMN 内容，列出每个问题", body=DraftXmlBody, response=Problems, errors=(401, 403, 422))
def validate_draft(draft_id: int, body: dict):
    designer.require_designer(current_actor())
    return ok({"problems": designer.validate(_xml(body).encode("utf-8"))})


@api_blueprint.post("/process-drafts/<int:draft_id>/deploy")
@operation("部署草稿为新版本（相同内容不重复部署，返回 200）", body=DraftDeployBody, response=DefinitionVersion,
           status=201, also=(200,), errors=DESIGN_ERRORS)
def deploy_draft(draft_id: int, body: dict):
    ctx = engine_context()
    row, created = designer.deploy_draft(draft_id=draft_id, xml=body.get("xml"),
                                         lock_version=body.get("lock_version"), comment=body.get("comment") or "",
                                         actor=current_actor(), **ctx.deps(runner=True))
    return ok({**_version_json(row), "created": created}, 201 if created else 200)


@api_blueprint.delete("/process-drafts/<int:draft_id>")
@operation("放弃草稿", response=Discarded, errors=(401, 403, 404, 409))
def discard_draft(draft_id: int):
    designer.discard_draft(draft_id=draft_id, actor=current_actor(), **engine_context().deps())
    return ok({"discarded": draft_id})


@api_blueprint.get("/process-drafts/<int:draft_id>/export")
@operation("导出草稿的 BPMN 文件", content=BPMN_FILE, errors=(401, 403, 404))
def export_draft(draft_id: int):
    designer.require_designer(current_actor())
    with engine_context().uow() as uow:
        draft = designer.get_draft(uow.session, draft_id)
    return _bpmn_file(draft["bpmn_xml"], draft["source_name"] or f"{draft['process_id']}.bpmn")


# -- migration -------------------------------------------------------------------------------------------------

@api_blueprint.post("/process-definitions/<process_id>/migration/dry-run")
@operation("试迁移：列出每个运行中的实例能否迁移到目标版本", body=DryRunBody, response=AnyObject, errors=DESIGN_ERRORS)
def migration_dry_run(process_id: str, body: dict):
    version = body.get("target_version")
    ctx = engine_context()
    with ctx.uow() as uow:
        return ok(migration.dry_run(uow.session, process_id=process_id,
                                    target_version=version if isinstance(version, int) else None,
                                    actor=current_actor(), runner=ctx.runner))


@api_blueprint.post("/migration-jobs")
@operation("开始迁移（全部或 instance_ids 所列实例）：排入队列，由调度进程执行", body=MigrationJobBody,
           response=MigrationJob, status=202, errors=DESIGN_ERRORS)
def start_migration(body: dict):
    ctx = engine_context()
    job_id = migration.start_job(process_id=body["process_id"], target_version=body.get("target_version"),
                                 instance_ids=body.get("instance_ids"), actor=current_actor(), **ctx.deps())
    return migration_progress(job_id, status=202)


@api_blueprint.get("/migration-jobs/<int:job_id>")
@operation("迁移进度", response=MigrationJob, errors=(401, 403, 404))
def migration_progress(job_id: int, status: int = 200):
    designer.require_designer(current_actor())
    ctx = engine_context()
    with ctx.uow() as uow:
        return ok(migration.job_progress(uow.session, job_id, now=ctx.clock.now()), status)


@api_blueprint.post("/migration-jobs/<int:job_id>/resume")
@operation("继续被中断的迁移", response=MigrationJob, status=202, errors=(401, 403, 404, 409))
def resume_migration(job_id: int):
    migration.resume_job(job_id=job_id, actor=current_actor(), **engine_context().deps())
    return migration_progress(job_id, status=202)


def _xml(body: dict) -> str:
    xml = body.get("xml")
    if not isinstance(xml, str) or not xml.strip():
        raise DefinitionProblem("请求中没有 BPMN 内容（xml）。", problems=[{"element_id": None, "message": "xml 为空"}])
    return xml


def _lock(body: dict) -> int | None:
    value = body.get("lock_version")
    return value if isinstance(value, int) else None


def _bpmn_file(xml: str, filename: str) -> Response:
    response = Response(xml.encode("utf-8"), mimetype="application/xml")
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote
    return quote(name, safe="")
