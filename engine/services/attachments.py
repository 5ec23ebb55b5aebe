"""Evidence attachments (photos, audio/video, PDFs): checked by content, stored by SHA-256, recorded in the
full-process record. A refused upload leaves nothing behind; a stored file is never rewritten."""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.actors import Actor
from engine.clock import Clock
from engine.errors import NotFound, ValidationFailed
from engine.store.database import UnitOfWork
from engine.store.models import Attachment, HumanTask

from .cases import get_case_for
from .tasks import ensure_can_work

CHUNK = 1024 * 1024
KINDS = {  # what staff may attach, recognised by the file's first bytes, never by its name
    "image/jpeg": "照片", "image/png": "照片", "application/pdf": "PDF 文件", "video/mp4": "视频",
    "audio/mpeg": "录音", "audio/wav": "录音", "audio/mp4": "录音",
}


@dataclass(frozen=True)
class AttachmentStore:
    """Where evidence files live: a folder shared by every app process (a network volume with several machines)."""

    root: Path
    max_bytes: int = 100 * 1024 * 1024

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256


def sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "audio/mp4" if brand in (b"M4A ", b"M4B ") else "video/mp4"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    return None


def clean_filename(name: str) -> str:
    name = os.path.basename((name or "").replace("\\", "/")).strip()
    name = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", name)
    return name[:200] or "附件"


def store_attachment(*, case_id: int, task_id: str | None, filename: str, stream: BinaryIO, description: str,
                     actor: Actor, uow: UnitOfWork, clock: Clock, store: AttachmentStore) -> str:
    """Check, hash and keep an uploaded file; returns the attachment id."""
    with uow:
        session = uow.session
        get_case_for(session, case_id, actor)
        if task_id is not None:
            task = session.get(HumanTask, task_id)
            if task is None or task.case_id != case_id:
                raise NotFound("待办任务不存在。")
            ensure_can_work(task, actor)
    store.root.mkdir(parents=True, exist_ok=True)
    digest, size, head = hashlib.sha256(), 0, b""
    handle, temp_name = tempfile.mkstemp(dir=store.root, prefix=".upload-")
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > store.max_bytes:
                    raise ValidationFailed(f"文件超过 {store.max_bytes // (1024 * 1024)} MB，不能上传。",
                                           fields={"file": ["文件过大。"]})
                if len(head) < 16:
                    head += chunk[:16 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise ValidationFailed("文件是空的。", fields={"file": ["请选择要上传的文件。"]})
        content_type = sniff(head)
        if content_type is None:
            raise ValidationFailed("只能上传照片（JPEG、PNG）、PDF、录音（MP3、WAV、M4A）或视频（MP4）。",
                                   fields={"file": ["文件类型不支持。"]})
        sha256 = digest.hexdigest()
        target = store.path_for(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            temp.unlink()  # the same evidence was stored before: keep the first copy untouched
        else:
            os.replace(temp, target)
        with uow:
            attachment = Attachment(id=str(uuid.uuid4()), case_id=case_id, task_id=task_id,
                                    filename=clean_filename(filename), content_type=content_type, size=size,
                                    sha256=sha256, description=(description or "").strip()[:500],
                                    uploaded_by_id=actor.user_id, uploaded_by_name=actor.name, uploaded_at=clock.now())
            uow.session.add(attachment)
            audit.record(uow.session, clock=clock, actor=actor, action="attachment_added", case_id=case_id,
                         task_id=task_id, summary=f"上传{KINDS[content_type]}「{attachment.filename}」",
                         data={"attachment_id": attachment.id, "sha256": sha256, "size": size,
                               "content_type": content_type})
            uow.commit()
            return attachment.id
    finally:
        if temp.exists():
            temp.unlink()


def list_attachments(session: Session, case_id: int) -> list[dict]:
    rows = session.scalars(select(Attachment).where(Attachment.case_id == case_id).order_by(Attachment.uploaded_at))
    return [{"id": a.id, "filename": a.filename, "content_type": a.content_type, "kind": KINDS.get(a.content_type, ""),
             "size": a.size, "sha256": a.sha256, "description": a.description, "task_id": a.task_id,
             "uploaded_by": a.uploaded_by_name, "uploaded_at": a.uploaded_at.isoformat()} for a in rows]


def open_attachment(session: Session, *, case_id: int, attachment_id: str, actor: Actor, store: AttachmentStore):
    """The attachment and its verified file path; a file changed on disk is refused, not served."""
    get_case_for(session, case_id, actor)
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.case_id != case_id:
        raise NotFound("附件不存在。")
    path = store.path_for(attachment.sha256)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    if digest.hexdigest() != attachment.sha256:
        from .documents import DocumentTampered
        raise DocumentTampered("附件文件与登记的 SHA-256 不一致，可能已被篡改，已拒绝提供。")
    return attachment, path
