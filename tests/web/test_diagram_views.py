"""The case page's 流程图: its JSON, who may read it, and a page that loads only the app's own static files."""
from __future__ import annotations

import re
from pathlib import Path

from engine.services import tasks

from .conftest import login

STATIC = Path(__file__).resolve().parents[2] / "webapp" / "static"


def test_the_diagram_json_gives_each_instance_with_its_position(client, world, staff):
    case_id = world.register(staff["handler1"], process_id="lead_intake", source="patrol")
    task = world.only_task(case_id)
    tasks.complete_task(task_id=task.id, data={"findings": "现场核实属实", "recommendation": "file"},
                        actor=staff["handler1"], **world.deps(runner=True))
    login(client, "head1")
    response = client.get(f"/cases/{case_id}/diagrams")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "no-store" in response.headers["Cache-Control"]
    [diagram] = response.json["instances"]
    assert (diagram["process_id"], diagram["process_name"], diagram["version"], diagram["status"],
            diagram["status_title"]) == ("lead_intake", "案源登记与立案审查", 1, "waiting", "办理中")
    assert {"lead_registered", "start_filing_clock", "lead_check"} <= set(diagram["completed"])
    assert "filing_approval" in diagram["active"]
    assert 'id="filing_approval"' in diagram["bpmn_xml"]


def test_the_diagram_json_answers_401_403_404_in_json(client, world, staff, token_for):
    case_id = world.register(staff["handler1"])
    anonymous = client.get(f"/cases/{case_id}/diagrams")
    assert anonymous.status_code == 401 and anonymous.json["error"]["code"] == "unauthorized"

    world.user("xiwan1", "handler", agency_id=world.agency(code="xiwan", name="西湾街道综合行政执法队",
                                                            prefix="西湾综执案"))
    login(client, "xiwan1")
    forbidden = client.get(f"/cases/{case_id}/diagrams")
    assert forbidden.status_code == 403 and forbidden.json["error"]["code"] == "forbidden"
    assert "bpmn_xml" not in forbidden.get_data(as_text=True)
    assert client.get(f"/cases/{case_id + 100}/diagrams").status_code == 404

    with_token = client.application.test_client().get(f"/cases/{case_id}/diagrams", headers=token_for("handler2"))
    assert with_token.status_code == 200 and len(with_token.json["instances"]) == 1


def test_the_case_page_loads_the_viewer_from_the_app_itself(client, world, staff):
    case_id = world.register(staff["handler1"])
    login(client, "handler1")
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "流程图" in html
    assert f'data-diagrams-url="/cases/{case_id}/diagrams"' in html

    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert scripts and all(re.search(r'\bsrc="', attributes) for attributes in scripts)  # no inline script
    urls = [re.search(r'\bsrc="([^"]+)"', attributes).group(1) for attributes in scripts]
    urls += re.findall(r'<link\b[^>]*\bhref="([^"]+)"', html)
    urls += re.findall(r'<img\b[^>]*\bsrc="([^"]+)"', html)
    assert "/static/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" in urls
    assert "/static/case_diagram.js" in urls and "/static/vendor/bpmn-js/diagram-js.css" in urls
    for url in urls:
        assert url.startswith("/static/") and "//" not in url, url  # never a CDN, never another host
        response = client.get(url)
        assert response.status_code == 200, f"{url} is missing: `make install` copies the npm assets"
        response.close()


def test_the_diagram_script_and_styles_fetch_nothing_from_elsewhere():
    for name in ("case_diagram.js", "case_diagram.css"):
        text = (STATIC / name).read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text and "@import" not in text
