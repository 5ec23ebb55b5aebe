from __future__ import annotations

import forms
from engine.errors import NotFound

from ..auth import current_actor
from . import api_blueprint, ok, operation
from .schemas import AnyObject, FormList


@api_blueprint.get("/forms")
@operation("全部表单", response=FormList, errors=(401,))
def list_forms():
    """Every form key with its title: what the designer offers for a user task."""
    return ok({"forms": [{"key": form.key, "title": form.title, "description": form.description}
                         for form in sorted(forms.all_forms(), key=lambda f: f.key)]})


@api_blueprint.get("/forms/<form_key>")
@operation("一张表单的字段、校验规则与布局", response=AnyObject, errors=(401, 404, 422))
def get_form(form_key: str):
    form = forms.get(form_key)
    if form is None:
        raise NotFound(f"表单 {form_key} 不存在。", fields={"form_key": ["没有这张表单。"]})
    return ok(form.as_json(set(current_actor().roles)))
