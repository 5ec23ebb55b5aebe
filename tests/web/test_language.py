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


def test_every_text_of_every_form_has_an_english_translation():
    from webapp.form_texts import form_texts

    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    texts = form_texts()
    assert len(texts) > 300
    untranslated = [text for text in texts if text not in catalog or not catalog[text].string]
    assert untranslated == []


def test_the_catalog_extraction_collects_the_form_texts():
    """babel.cfg maps the forms registry to webapp.form_texts, as `make translations` runs pybabel extract."""
    from babel.messages.extract import extract_from_file
    from babel.messages.frontend import parse_mapping_cfg
    from babel.util import pathmatch

    from webapp.form_texts import form_texts

    root = CATALOG.parents[4]
    with (root / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    path = "forms/__init__.py"
    pattern, method = next((pattern, method) for pattern, method in method_map if pathmatch(pattern, path))
    extracted = {message for _, message, _, _ in extract_from_file(method, str(root / path),
                                                                   options=options_map[pattern])}
    assert extracted == set(form_texts())


def test_the_forms_are_english_when_english_is_chosen(client, staff):
    login(client, "handler1")
    chinese = client.get("/cases/new").get_data(as_text=True)
    assert "案源类型" in chinese and "日常巡查" in chinese and "当事人住所（住址）" in chinese
    client.get("/language/en")
    english = client.get("/cases/new").get_data(as_text=True)
    assert "Source of the lead" in english and "Routine patrol" in english and "Party&#39;s address" in english
    assert "案源类型" not in english and "日常巡查" not in english and "当事人住所（住址）" not in english
    assert "Register leads from complaints" in english  # the form's description
    assert "APL Art. 59" in english  # a help text
