"""Chinese by default, English on request, every UI string translated through the catalogs."""
from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from .conftest import login

CATALOG = Path(__file__).resolve().parents[2] / "webapp" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def test_the_ui_is_chinese_by_default_and_english_when_chosen(client, staff):
    login(client, "handler1")
    assert "我的待办" in client.get("/inbox").get_data(as_text=True)
    switched = client.get("/language/en?next=/inbox")
    assert switched.status_code == 302 and switched.headers["Location"].endswith("/inbox")
    english = client.get("/inbox").get_data(as_text=True)
    assert "My tasks" in english and "Log out" in english and "我的待办" not in english
    client.get("/language/zh_Hans_CN")
    assert "我的待办" in client.get("/inbox").get_data(as_text=True)


def test_the_language_switch_never_redirects_off_site(client):
    assert not client.get("/language/en?next=//evil.example/").headers["Location"].startswith("//evil")


def test_every_message_in_the_catalog_has_an_english_translation():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    untranslated = [message.id for message in catalog if message.id and not message.string]
    assert untranslated == []


def test_titles_shown_from_data_are_in_the_catalog_too():
    from engine.message_rules import RULES
    from engine.roles import ROLE_TITLES
    from webapp.filters import INSTANCE_STATUS_TITLES, STAGE_TITLES
    from webapp.i18n import DYNAMIC_TERMS

    titles = {*ROLE_TITLES.values(), *STAGE_TITLES.values(), *INSTANCE_STATUS_TITLES.values(),
              *(rule.title for rule in RULES.values() if rule.form)}
    assert titles <= set(DYNAMIC_TERMS)
