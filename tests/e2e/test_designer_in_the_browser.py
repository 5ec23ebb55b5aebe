"""The process designer in a real browser: open 案源登记与立案审查, add a user task with a form key, deploy it as
version 2; a new case starts on version 2 while a running case stays on version 1 until, after a dry run, it is
migrated. And every MIWG reference model survives an import/export round trip through bpmn-js."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree

from engine.specs.bpmn_xml import BPMN, BPMNDI, as_utf8_text

from .conftest import ARTIFACTS, login, register_lead, server_now
from .test_case_in_the_browser import logout, shot

MIWG = Path(__file__).resolve().parents[1] / "fixtures" / "miwg"
NEW_TASK_FLOW = "flow_lead_check_to_summary_gateway"  # 案源初查 → 是否简易程序: the new task goes in between

# What bpmn-js cannot keep, and why (all diagram interchange, never a BPMN element):
# B.1.0/B.2.0 draw a process that no pool of their collaboration shows, so bpmn-js cannot display (or keep) those
# shapes; C.7.0 has an edge that references no element at all.
DI_BPMN_JS_DROPS = {"B.1.0.bpmn": "Process_ba16239e-181e-4b9f-bc5b-0bb2ee973450",
                    "B.2.0.bpmn": "Process_ba16239e-181e-4b9f-bc5b-0bb2ee973450",
                    "C.7.0.bpmn": None}


def register_patrol_lead(page, server, summary: str) -> str:
    page.goto(server + "/cases/new")
    return register_lead(page, source="patrol", summary=summary, party_name="东城某餐饮店",
                         party_kind="organisation", id_number="91330100MA27Q8R9XF", location="东城镇人民路",
                         discovered=server_now() - timedelta(hours=3))


def case_json(page, case_url: str) -> dict:
    case_id = case_url.rstrip("/").rsplit("/", 1)[1]
    return page.request.get(re.sub(r"/cases/\d+$", f"/api/v1/cases/{case_id}", case_url)).json()


def case_versions(page, case_url: str) -> dict[str, int]:
    return {instance["process_id"]: instance["version"] for instance in case_json(page, case_url)["instances"]}


def screen_point(page, element_id: str) -> dict:
    """Where an element (a flow: the middle of its longest segment) is on the screen."""
    return page.evaluate("""(id) => {
      const modeler = window.zhifaDesigner.modeler, canvas = modeler.get('canvas');
      const element = modeler.get('elementRegistry').get(id);
      let x = element.x + element.width / 2, y = element.y + element.height / 2;
      if (element.waypoints) {
        let best = 0;
        for (let i = 1; i < element.waypoints.length; i++) {
          const p = element.waypoints[i - 1], q = element.waypoints[i], length = Math.abs(p.x - q.x) + Math.abs(p.y - q.y);
          if (length > best) { best = length; x = (p.x + q.x) / 2; y = (p.y + q.y) / 2; }
        }
      }
      const box = canvas.viewbox(), rect = canvas._container.getBoundingClientRect();
      return {x: rect.left + (x - box.x) * box.scale, y: rect.top + (y - box.y) * box.scale};
    }""", element_id)


def open_designer(page, server, process_id: str) -> None:
    page.goto(server + "/designer/")
    row = page.locator(f"tr[data-process={process_id}]")
    if row.locator("a:has-text('继续编辑')").count():
        row.locator("a:has-text('继续编辑')").click()
    else:
        row.locator("button:has-text('编辑')").click()
    page.wait_for_selector("body[data-designer-ready]")


def complete_lead_check(page, case_url: str, title: str = "案源初查") -> None:
    page.goto(case_url)
    page.click(f".case-tasks a:has-text('{title}')")
    page.fill("#f-findings", "现场核实属实。")
    page.select_option("#f-recommendation", "file")
    page.click("button:has-text('提交办结')")
    page.wait_for_selector(".flash.success")


def test_design_deploy_and_migrate_in_the_browser(server, page):
    login(page, server, "handler1")
    old_case = register_patrol_lead(page, server, "巡查发现：人民路某餐饮店占道经营（旧版本上的案件）。")
    assert case_versions(page, old_case) == {"lead_intake": 1}
    old_number = case_json(page, old_case)["number"]
    logout(page)

    login(page, server, "designer1")
    open_designer(page, server, "lead_intake")
    page.evaluate(f"""() => {{ const m = window.zhifaDesigner.modeler, c = m.get('canvas');
        c.zoom(1.0); c.scrollToElement(m.get('elementRegistry').get('{NEW_TASK_FLOW}')); }}""")
    point = screen_point(page, NEW_TASK_FLOW)
    page.click('.djs-palette .entry[data-action="create.task"]')
    page.mouse.move(point["x"] - 30, point["y"])
    page.mouse.move(point["x"], point["y"])
    page.mouse.click(point["x"], point["y"])  # dropped on the flow: bpmn-js splits the flow around the new task
    page.click('.djs-context-pad .entry[data-action="replace"]')
    page.click('.djs-popup [data-id="replace-with-user-task"]')
    new_id = page.evaluate("() => window.zhifaDesigner.modeler.get('selection').get()[0].id")
    page.fill(".designer-panel input[data-prop='名称']", "现场复核")
    page.press(".designer-panel input[data-prop='名称']", "Tab")

    page.click("#designer-validate")  # no form yet: the problem is listed and marked on the diagram
    page.wait_for_selector(f"#designer-problems li[data-element-id='{new_id}']")
    assert "没有表单" in page.inner_text(f"#designer-problems li[data-element-id='{new_id}']")
    assert page.locator(f".zhifa-problem-badge[data-element-id='{new_id}']").count() == 1
    shot(page, "10-designer-problem-marked")

    page.select_option(".designer-panel select[data-prop='formKey']", "lead_check")
    page.select_option(".designer-panel select[data-prop='duty']", "handle")
    page.click("#designer-save")
    page.wait_for_selector(".designer-status.ok")
    page.wait_for_selector("#designer-problem-count.ok")
    assert page.locator(".zhifa-problem-badge").count() == 0
    shot(page, "11-designer-user-task")
    page.click("#designer-deploy")
    page.fill("#designer-comment", "立案前增加现场复核环节")
    page.click("#designer-deploy-confirm")
    page.wait_for_url(re.compile(r".*/designer/processes/lead_intake\?deployed=2"))
    assert "已部署为第 2 版" in page.inner_text("main")
    assert "立案前增加现场复核环节" in page.inner_text(".designer-versions")
    assert "现场复核" in page.inner_text(".designer-diff .diff-added")
    logout(page)

    login(page, server, "handler1")
    new_case = register_patrol_lead(page, server, "巡查发现：人民路某商店占道经营（新版本上的案件）。")
    assert case_versions(page, new_case) == {"lead_intake": 2}
    assert case_versions(page, old_case) == {"lead_intake": 1}  # the running case stays on its version
    complete_lead_check(page, new_case)
    page.goto(new_case)
    assert "现场复核" in page.inner_text(".case-tasks")
    logout(page)

    login(page, server, "designer1")
    page.goto(server + "/designer/processes/lead_intake")
    page.click("#migration-dry-run")
    page.wait_for_selector(".migration-report")
    row = page.locator(".migration-report tbody tr", has_text=old_number)
    assert "可以迁移" in row.inner_text() and "案源初查" in row.inner_text()
    shot(page, "12-designer-migration-dry-run")
    for box in page.locator(".migration-report tbody input[type=checkbox]").all():
        box.uncheck()  # migrate just the old case of this test; the demo's other cases stay where they are
    row.locator("input[type=checkbox]").check()
    page.click("#migration-start-selected")
    page.wait_for_selector(".migration-status[data-status=done]")
    assert "已迁移 1" in page.inner_text("#migration-job") and "/ 1" in page.inner_text("#migration-job")
    shot(page, "13-designer-migration-done")
    logout(page)

    login(page, server, "handler1")
    assert case_versions(page, old_case) == {"lead_intake": 2}
    complete_lead_check(page, old_case)
    page.goto(old_case)
    assert "现场复核" in page.inner_text(".case-tasks")  # the migrated case now runs the new version


def _ids(xml: str, namespace: str) -> list[str]:
    root = etree.fromstring(xml.encode("utf-8"))
    return [e.get("id") for e in root.iter() if isinstance(e.tag, str) and e.get("id")
            and etree.QName(e).namespace == namespace]


def _bounds(xml: str) -> dict[str, tuple]:
    root = etree.fromstring(xml.encode("utf-8"))
    return {shape.get("bpmnElement"): tuple(float(b.get(k)) for b in shape.iter(f"{{{'http://www.omg.org/spec/DD/20100524/DC'}}}Bounds")
                                            for k in ("x", "y", "width", "height"))
            for shape in root.iter(f"{{{BPMNDI}}}BPMNShape")}


@pytest.mark.skipif(not MIWG.is_dir(), reason="MIWG reference models not available")
def test_every_miwg_model_round_trips_through_bpmn_js(server, page):
    login(page, server, "designer1")
    open_designer(page, server, "case_closing")
    report = []
    for path in sorted(MIWG.glob("*.bpmn")):
        original = as_utf8_text(path.read_bytes())
        result = page.evaluate("""async (xml) => {
            const modeler = window.zhifaDesigner.modeler;
            const imported = await modeler.importXML(xml);
            const saved = await modeler.saveXML({format: true});
            return {xml: saved.xml, warnings: imported.warnings.map(w => w.message)};
        }""", original)
        exported = result["xml"]
        assert _ids(exported, BPMN) == _ids(original, BPMN), path.name  # every BPMN element, in order
        lost = [i for i in _ids(original, BPMNDI) if i not in set(_ids(exported, BPMNDI))]
        if path.name not in DI_BPMN_JS_DROPS:
            assert not lost, (path.name, lost)
        before, after = _bounds(original), _bounds(exported)
        moved = [e for e in after if e in before and before[e] != after[e]]
        assert not moved, (path.name, moved)  # the layout is kept to the coordinate
        report.append(f"{path.name}: {len(_ids(original, BPMN))} elements kept, {len(lost)} diagram shapes "
                      f"bpmn-js cannot show, {len(result['warnings'])} import warnings")
    (ARTIFACTS / "miwg-round-trip.txt").write_text("\n".join(report) + "\n", encoding="utf-8")


def test_discarding_a_draft_asks_first(server, page):
    """The question comes from designer.js: the page's Content-Security-Policy runs no inline handler."""
    login(page, server, "designer1")
    open_designer(page, server, "referral_out")
    editor = page.url
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("button:has-text('放弃草稿')")
    page.wait_for_timeout(300)
    assert page.url == editor  # kept
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('放弃草稿')")
    page.wait_for_selector(".flash.success")
    assert "已放弃草稿" in page.inner_text(".flash.success") and page.url != editor
