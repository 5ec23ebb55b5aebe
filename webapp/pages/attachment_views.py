"""Evidence attachments: upload on the task page, view or download from the case file."""
from __future__ import annotations

from pathlib import Path

from flask import current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import login_required

import forms
from engine.errors import DomainError, NotFound
from engine.services.attachments import AttachmentStore, list_attachments, open_attachment, store_attachment
from engine.services.drafts import save_draft
from engine.store.models import HumanTask

from ..auth import current_actor
from ..context import engine_context
from ..errors import status_for
from . import pages_blueprint
from .case_views import form_values

INLINE_TYPES = {"image/jpeg", "image/png", "application/pdf", "video/mp4", "audio/mpeg", "audio/wav", "audio/mp4"}


def attachment_store() -> AttachmentStore:
    return AttachmentStore(root=Path(current_app.config["ZHIFA_ATTACHMENTS_DIR"]),
                           max_bytes=int(current_app.config["ZHIFA_MAX_UPLOAD_MB"]) * 1024 * 1024)


@pages_blueprint.post("/tasks/<task_id>/attachments")
@login_required
def upload_attachment(task_id: str):
    """Upload evidence from the task page. The page's script sends the file alone and asks for JSON: the new item
    is put into the list and nothing else on the page changes. Without scripts the whole task form comes along
    (`action=upload`): what was typed is saved as the draft first, so the page shown again still has it."""
    ctx = engine_context()
    with ctx.uow() as uow:
        task = uow.session.get(HumanTask, task_id)
        if task is None:
            raise NotFound("待办任务不存在。")
        case_id, form_key = task.case_id, task.form_key
    as_json = request.accept_mimetypes.best == "application/json"
    if request.form.get("action") == "upload":
        keep_typed_work(task_id, form_key, ctx)
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise DomainError("请选择要上传的文件。")
        attachment_id = store_attachment(case_id=case_id, task_id=task_id, filename=upload.filename,
                                         stream=upload.stream, description=request.form.get("description", ""),
                                         actor=current_actor(), store=attachment_store(), **ctx.deps())
    except DomainError as exc:
        if as_json:
            return jsonify(error={"code": exc.code, "message": exc.message}), status_for(exc)
        flash(exc.message, "error")
    else:
        message = f"已上传「{upload.filename}」。"
        if as_json:
            with ctx.uow() as uow:
                item = next(a for a in list_attachments(uow.session, case_id) if a["id"] == attachment_id)
            html = render_template("tasks/_attachment_item.html", a=item, case={"id": case_id})
            return jsonify(item=html, message=message), 201
        flash(message, "success")
    return redirect(url_for("pages.task_page", task_id=task_id) + "#attachments")


def keep_typed_work(task_id: str, form_key: str, ctx) -> None:
    form = forms.get(form_key)
    if form is None:
        return
    try:
        save_draft(task_id=task_id, data=form_values(form), actor=current_actor(), **ctx.deps())
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash("已填写的内容已存为草稿。", "success")


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
