"""Reading BPMN documents from any tool: namespaces by URI (files use `bpmn:`, `bpmn2:`, `semantic:` or no
prefix at all), encodings other than UTF-8, and no network or entity expansion while parsing."""
from __future__ import annotations

import re

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS = {"bpmn": BPMN, "bpmndi": BPMNDI, "camunda": CAMUNDA}

MAX_BYTES = 5 * 1024 * 1024  # a BPMN file of a real procedure is well under 1 MB


class NotBpmn(ValueError):
    """Not a BPMN 2.0 document; the message says why, in Chinese."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False, huge_tree=False,
                           load_dtd=False)


def parse_document(xml: bytes) -> etree._Element:
    """The root element of a BPMN document; NotBpmn for anything else."""
    if len(xml) > MAX_BYTES:
        raise NotBpmn(f"文件过大（{len(xml) // 1024} KB，上限 {MAX_BYTES // 1024 // 1024} MB）")
    if not xml.strip():
        raise NotBpmn("文件是空的")
    try:
        root = etree.fromstring(xml, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise NotBpmn(f"不是有效的 XML（第 {exc.lineno} 行）：{exc.msg}", exc.lineno) from None
    if not isinstance(root.tag, str) or etree.QName(root).namespace != BPMN \
            or etree.QName(root).localname != "definitions":
        name = etree.QName(root).localname if isinstance(root.tag, str) else "?"
        raise NotBpmn(f"不是 BPMN 2.0 文件：根元素应为 BPMN 命名空间的 definitions，实际为 <{name}>")
    return root


def as_utf8_text(xml: bytes) -> str:
    """The document as text, exactly as written except its encoding, which becomes UTF-8 (files from older
    tools are often ISO-8859-1). Every element, attribute, comment and layout coordinate stays as it was."""
    root = parse_document(xml)
    encoding = root.getroottree().docinfo.encoding or "UTF-8"
    if xml.startswith(b"\xef\xbb\xbf"):
        xml, encoding = xml[3:], "UTF-8"
    text = xml.decode(encoding)
    return re.sub(r'^(<\?xml[^>]*?encoding=)(["\'])[^"\']*\2', r'\1"UTF-8"', text, count=1)


def executable_processes(root: etree._Element) -> list[etree._Element]:
    return [p for p in root.findall(f"{{{BPMN}}}process") if p.get("isExecutable") == "true"]


def main_process(root: etree._Element) -> etree._Element | None:
    """The process a file is about: its one executable process, else its first process."""
    executable = executable_processes(root)
    if len(executable) == 1:
        return executable[0]
    processes = root.findall(f"{{{BPMN}}}process")
    return processes[0] if processes else None


def local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def is_bpmn(element, *names: str) -> bool:
    return isinstance(element.tag, str) and etree.QName(element).namespace == BPMN \
        and (not names or etree.QName(element).localname in names)


def label(element) -> str:
    """How a problem names an element: 「name」 (id) or just the id."""
    name = (element.get("name") or "").strip().replace("\n", " ")
    return f"「{name}」" if name else f"「{element.get('id')}」"


def element_ids(text: str | bytes) -> list[str]:
    """Every `id` attribute of the document, in document order (for round-trip checks)."""
    root = etree.fromstring(text.encode("utf-8") if isinstance(text, str) else text, parser=_parser())
    return [element.get("id") for element in root.iter() if isinstance(element.tag, str) and element.get("id")]


EVENTS = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent")
CONTAINERS = ("subProcess", "transaction", "adHocSubProcess")
ACTIVITIES = ("task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
              "businessRuleTask", "callActivity", *CONTAINERS)
GATEWAYS = ("exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway")
FLOW_NODES = (*EVENTS, *ACTIVITIES, *GATEWAYS)

TYPE_TITLES = {
    "process": "流程", "lane": "泳道", "participant": "池", "sequenceFlow": "连线", "messageFlow": "消息流",
    "startEvent": "开始事件", "endEvent": "结束事件", "intermediateCatchEvent": "中间捕获事件",
    "intermediateThrowEvent": "中间抛出事件", "boundaryEvent": "边界事件",
    "task": "无类型任务", "userTask": "用户任务", "manualTask": "手工任务", "scriptTask": "脚本任务",
    "serviceTask": "服务任务", "sendTask": "发送任务", "receiveTask": "接收任务", "businessRuleTask": "业务规则任务",
    "callActivity": "调用活动", "subProcess": "子流程", "transaction": "事务子流程", "adHocSubProcess": "自由子流程",
    "exclusiveGateway": "排他网关", "parallelGateway": "并行网关", "inclusiveGateway": "包容网关",
    "eventBasedGateway": "事件网关", "complexGateway": "复杂网关", "dataObjectReference": "数据对象",
    "dataStoreReference": "数据存储", "textAnnotation": "注释", "association": "关联", "group": "分组",
    "message": "消息", "signal": "信号", "error": "错误", "escalation": "升级",
}


def type_title(element) -> str:
    return TYPE_TITLES.get(local(element), local(element))
