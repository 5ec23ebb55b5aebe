from __future__ import annotations

from engine.deadlines.catalog import catalog

from . import api_blueprint, ok


@api_blueprint.get("/deadline-catalog")
def deadline_catalog():
    return ok({"deadlines": [entry.as_json() for entry in catalog().values()]})
