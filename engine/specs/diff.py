"""A readable difference between two versions of a process: elements added, removed and changed (by id and
name, with what changed in words), and whether the layout moved."""
from __future__ import annotations

from lxml import etree

from .bpmn_xml import BPMN, BPMNDI, CAMUNDA, TYPE_TITLES, is_bpmn, local, parse_document

FIELD_TITLES = {
    "type": "类型", "name": "名称", "lane": "泳道", "form": "表单", "documentation": "说明", "condition": "条件",
    "default": "默认分支", "script": "脚本", "timer": "定时", "events": "事件", "properties": "任务属性",
    "source": "起点", "target": "终点", "attached_to": "附着于", "interrupting": "中断", "executable": "可执行",
}


def _text(element, path: str) -> str | None:
    found = element.find(path)
    return (found.text or "").strip() if found is not None else None


def _signature(element, lanes: dict[str, str]) -> dict:
    kind = local(element)
    sig = {"type": TYPE_TITLES.get(kind, kind), "name": (element.get("name") or "").strip() or None,
           "documentation": _text(element, f"{{{BPMN}}}documentation") or None}
    if element.get("id") in lanes:
        sig["lane"] = lanes[element.get("id")]
    if element.get(f"{{{CAMUNDA}}}formKey"):
        sig["form"] = element.get(f"{{{CAMUNDA}}}formKey")
    if kind == "sequenceFlow":
        sig.update(source=element.get("sourceRef"), target=element.get("targetRef"),
                   condition=_text(element, f"{{{BPMN}}}conditionExpression") or None)
    if element.get("default"):
        sig["default"] = element.get("default")
    if kind == "scriptTask":
        sig["script"] = _text(element, f"{{{BPMN}}}script")
    if kind == "boundaryEvent":
        sig.update(attached_to=element.get("attachedToRef"),
                   interrupting="否" if element.get("cancelActivity") == "false" else "是")
    if kind == "process":
        sig["executable"] = "是" if element.get("isExecutable") == "true" else "否"
    events = []
    for definition in element:
        if not is_bpmn(definition) or not local(definition).endswith("EventDefinition"):
            continue
        name = local(definition).removesuffix("EventDefinition")
        ref = definition.get("messageRef") or definition.get("signalRef") or definition.get("errorRef")
        events.append(f"{name}:{ref}" if ref else name)
        for value in definition:
            if is_bpmn(value, "timeDate", "timeDuration", "timeCycle"):
                sig["timer"] = f"{local(value)} {(value.text or '').strip()}"
    if events:
        sig["events"] = ", ".join(events)
    properties = {p.get("name"): p.get("value") for p in element.iter(f"{{{CAMUNDA}}}property")}
    if properties and kind not in ("process",):
        sig["properties"] = ", ".join(f"{k}={v}" for k, v in sorted(properties.items()))
    return {key: value for key, value in sig.items() if value is not None}


def _elements(root) -> dict[str, etree._Element]:
    """Semantic elements worth naming in a diff: everything with an id in the BPMN namespace that is not an
    event definition, an expression or the document itself (those fold into their owner)."""
    found = {}
    for element in root.iter():
        if not is_bpmn(element) or not element.get("id") or element is root:
            continue
        kind = local(element)
        if kind.endswith("EventDefinition") or kind in ("conditionExpression", "laneSet", "documentation",
                                                        "script", "timeDate", "timeDuration", "timeCycle"):
            continue
        found[element.get("id")] = element
    return found


def _lanes(root) -> dict[str, str]:
    lanes = {}
    for lane in root.iter(f"{{{BPMN}}}lane"):
        for ref in lane.findall(f"{{{BPMN}}}flowNodeRef"):
            lanes[(ref.text or "").strip()] = lane.get("name") or lane.get("id")
    return lanes


def _layout(root) -> dict[str, tuple]:
    shapes = {}
    for shape in root.iter(f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge"):
        shapes[shape.get("bpmnElement")] = tuple(
            (child.get("x"), child.get("y"), child.get("width"), child.get("height"))
            for child in shape.iter() if local(child) in ("Bounds", "waypoint"))
    return shapes


def _field_order(key: str) -> tuple[int, str]:
    order = list(FIELD_TITLES)
    return (order.index(key) if key in order else len(order), key)


def _describe(element) -> dict:
    kind = local(element)
    return {"id": element.get("id"), "type": kind, "type_title": TYPE_TITLES.get(kind, kind),
            "name": (element.get("name") or "").strip()}


def diff_bpmn(old_xml: str | bytes, new_xml: str | bytes) -> dict:
    old_root = parse_document(old_xml.encode("utf-8") if isinstance(old_xml, str) else old_xml)
    new_root = parse_document(new_xml.encode("utf-8") if isinstance(new_xml, str) else new_xml)
    old, new = _elements(old_root), _elements(new_root)
    old_lanes, new_lanes = _lanes(old_root), _lanes(new_root)
    added = [_describe(new[i]) for i in new if i not in old]
    removed = [_describe(old[i]) for i in old if i not in new]
    changed = []
    for element_id in (i for i in new if i in old):
        before, after = _signature(old[element_id], old_lanes), _signature(new[element_id], new_lanes)
        changes = [{"field": key, "title": FIELD_TITLES.get(key, key), "before": before.get(key),
                    "after": after.get(key)}
                   for key in sorted(set(before) | set(after), key=_field_order)
                   if before.get(key) != after.get(key)]
        if changes:
            changed.append({**_describe(new[element_id]), "changes": changes})
    old_layout, new_layout = _layout(old_root), _layout(new_root)
    moved = [i for i in new_layout if i in old_layout and old_layout[i] != new_layout[i]]
    return {"added": added, "removed": removed, "changed": changed, "moved": len(moved),
            "identical": not (added or removed or changed or moved)}
