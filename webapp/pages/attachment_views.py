"""Evidence attachments: upload on the task page, view or download from the case file."""
from __future__ import annotations

from pathlib import Path

from flask import current_app, flash, redirect, request, send_file, url_for
from flask_login import login_required

from engine.errors import DomainError, NotFound
from engine.services.attachments import AttachmentStore, open_attachment, store_attachment
from engine.store.models import HumanTask

from ..auth import current_actor
from ..context import engine_context
from . import pages_blueprint

INLINE_TYPES = {"image/jpeg", "image/png", "application/pdf", "video/mp4", "audio/mpeg", "audio/wav", "audio/mp4"}


def attachment_store() -> AttachmentStore:
    return AttachmentStore(root=Path(current_app.config["ZHIFA_ATTACHMENTS_DIR"]),
                           max_bytes=int(current_app.config["ZHIFA_MAX_UPLOAD_MB"]) * 1024 * 1024)


@pages_blueprint.post("/tasks/<task_id>/attachments")
@login_required
def upload_attachment(task_id: str):
    ctx = engine_context()
    with ctx.uow() as uow:
        task = uow.session.get(HumanTask, task_id)
        if task is None:
            raise NotFound("待办任务不存在。")
        case_id = task.case_id
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise DomainError("请选择要上传的文件。")
        store_attachment(case_id=case_id, task_id=task_id, filename=upload.filename, stream=upload.stream,
                         description=request.form.get("description", ""), actor=current_actor(),
                         store=attachment_store(), **ctx.deps())
        flash(f"已上传「{upload.filename}」。", "success")
    except DomainError as exc:
        flash(exc.message, "error")
    return redirect(url_for("pages.task_page", task_id=task_id) + "#attachments")


@pages_blueprint.get("/cases/<int:case_id>/attachments/<attachment_id>")
@login_required
def download_attachment(case_id: int, attachment_id: str):
    with engine_context().uow() as uow:
        attachment, path = open_attachment(uow.session, case_id=case_id, attachment_id=attachment_id,
                                           actor=current_actor(), store=attachment_store())
    response = send_file(path, mimetype=attachment.content_type, download_name=attachment.filename,
                         as_attachment=attachment.content_type not in INLINE_TYPES or request.args.get("download") == "1",
                         etag=attachment.sha256, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
