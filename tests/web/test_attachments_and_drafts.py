"""Evidence uploads and drafts on the task page: checked by content, stored by SHA-256, nothing half-saved."""
from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import func, select

from engine.store.models import Attachment, AuditRecord

from .conftest import csrf_from, login
from .test_pages import register_through_page

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63"
                    "60000002000100e221bc330000000049454e44ae426082")


def first_task(client, world):
    login(client, "handler1")
    created = register_through_page(client)
    case_id = int(created.headers["Location"].rsplit("/", 1)[1])
    return case_id, world.only_task(case_id)


def upload(client, task, name, content, description="现场照片"):
    token = csrf_from(client.get(f"/tasks/{task.id}").get_data(as_text=True))
    return client.post(f"/tasks/{task.id}/attachments", data={
        "csrf_token": token, "description": description, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data", follow_redirects=True)


def count(world, model):
    with world.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model))


def test_a_photo_is_stored_by_its_sha256_listed_and_served(client, world, staff, app):
    case_id, task = first_task(client, world)
    page = upload(client, task, "现场.png", PNG).get_data(as_text=True)
    assert "已上传「现场.png」" in page and "现场.png" in page
    with world.uow() as uow:
        attachment = uow.session.scalar(select(Attachment))
    import hashlib
    assert attachment.sha256 == hashlib.sha256(PNG).hexdigest() and attachment.content_type == "image/png"
    stored = Path(app.config["ZHIFA_ATTACHMENTS_DIR"]) / attachment.sha256[:2] / attachment.sha256[2:4] / attachment.sha256
    assert stored.read_bytes() == PNG
    served = client.get(f"/cases/{case_id}/attachments/{attachment.id}")
    assert served.status_code == 200 and served.data == PNG and served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    with world.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(AuditRecord)
                                  .where(AuditRecord.action == "attachment_added")) == 1


def test_a_file_pretending_to_be_a_photo_is_refused_and_nothing_is_kept(client, world, staff, app):
    _, task = first_task(client, world)
    page = upload(client, task, "照片.jpg", b"MZ\x90\x00 this is an executable").get_data(as_text=True)
    assert "只能上传照片" in page
    assert count(world, Attachment) == 0
    folder = Path(app.config["ZHIFA_ATTACHMENTS_DIR"])
    assert not folder.exists() or not [p for p in folder.rglob("*") if p.is_file()]


def test_an_oversized_upload_is_refused_with_a_clear_message(client, world, staff, app):
    app.config["ZHIFA_MAX_UPLOAD_MB"] = 1
    _, task = first_task(client, world)
    page = upload(client, task, "录像.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * (1024 * 1024 + 10))
    assert "文件超过 1 MB" in page.get_data(as_text=True)
    assert count(world, Attachment) == 0


def test_a_tampered_file_is_not_served(client, world, staff, app):
    case_id, task = first_task(client, world)
    upload(client, task, "现场.png", PNG)
    with world.uow() as uow:
        attachment = uow.session.scalar(select(Attachment))
    stored = Path(app.config["ZHIFA_ATTACHMENTS_DIR"]) / attachment.sha256[:2] / attachment.sha256[2:4] / attachment.sha256
    stored.write_bytes(PNG + b"edited")
    assert client.get(f"/cases/{case_id}/attachments/{attachment.id}").status_code == 409


def test_another_agency_cannot_download_or_upload(client, world, staff):
    case_id, task = first_task(client, world)
    upload(client, task, "现场.png", PNG)
    with world.uow() as uow:
        attachment = uow.session.scalar(select(Attachment))
    other = world.agency(code="xiwan", name="西湾", prefix="西湾案")
    world.user("xiwan1", "handler", agency_id=other)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/inbox").get_data(as_text=True))})
    login(client, "xiwan1")
    assert client.get(f"/cases/{case_id}/attachments/{attachment.id}").status_code == 403
    token = csrf_from(client.get("/inbox").get_data(as_text=True))
    page = client.post(f"/tasks/{task.id}/attachments", data={"csrf_token": token, "file": (io.BytesIO(PNG), "x.png")},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "其他机关" in page
    assert count(world, Attachment) == 1


def test_a_draft_is_kept_for_its_author_and_dropped_on_completion(client, world, staff):
    _, task = first_task(client, world)
    token = csrf_from(client.get(f"/tasks/{task.id}").get_data(as_text=True))
    saved = client.post(f"/tasks/{task.id}", data={"csrf_token": token, "action": "draft", "findings": "初查进行中"},
                        follow_redirects=True)
    page = saved.get_data(as_text=True)
    assert "草稿已保存" in page and "初查进行中" in page
    assert "初查进行中" in client.get(f"/tasks/{task.id}").get_data(as_text=True)
    done = client.post(f"/tasks/{task.id}", data={"csrf_token": token, "findings": "属实", "recommendation": "file"})
    assert done.status_code == 302
    from engine.store.models import TaskDraft
    assert count(world, TaskDraft) == 0
