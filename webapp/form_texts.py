"""The task forms' texts for the catalog: a Babel extraction method (registered in babel.cfg as `form_texts`).

Forms are data (forms/*.py), shown through `_()` in the templates (render_field, the form pages), so their titles,
descriptions, labels, help texts and choice labels reach the catalog through this method, not the Python
extractor. Only the UI is translated: what the forms store in task data and what enforcement documents print stays
Chinese.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator


def form_texts() -> list[str]:
    """Every text a form shows, each once, in the order of the forms registry."""
    import forms

    texts: dict[str, None] = {}
    for form in forms.all_forms():
        texts.update(dict.fromkeys((form.title, form.description)))
        for field in form.fields:
            texts.update(dict.fromkeys((field.label, field.help)))
            texts.update(dict.fromkeys(label for _, label in field.choices))
    texts.pop("", None)
    return list(texts)


def extract(fileobj, keywords: Iterable[str], comment_tags: Iterable[str],
            options: dict) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel extraction method: every form text, whatever the file mapped to it (babel.cfg maps forms/__init__.py,
    the registry, so each text is extracted once)."""
    for text in form_texts():
        yield 0, None, text, []
