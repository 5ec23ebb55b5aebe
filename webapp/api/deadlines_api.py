from __future__ import annotations

from engine.deadlines.catalog import catalog

from . import api_blueprint, ok, operation
from .schemas import DeadlineCatalog


@api_blueprint.get("/deadline-catalog")
@operation("法定期限目录（每项期限及其法律依据）", response=DeadlineCatalog, errors=(401,))
def deadline_catalog():
    return ok({"deadlines": [entry.as_json() for entry in catalog().values()]})
