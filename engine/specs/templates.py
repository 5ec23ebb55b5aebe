"""The BPMN a new process starts from in the designer: a pool with the three role lanes and a start and end
event, laid out so it opens in any modeler."""
from __future__ import annotations

from xml.sax.saxutils import quoteattr

LANES = (("lane_handler", "承办人"), ("lane_reviewer", "法制审核"), ("lane_head", "负责人"))


def new_process_xml(process_id: str, name: str) -> str:
    pid, title = process_id, quoteattr(name)
    lane_xml = "\n".join(
        f'      <bpmn:lane id="{lane_id}" name="{lane_name}">'
        + ("\n        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>\n        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>\n"
           "      " if lane_id == "lane_handler" else "")
        + "</bpmn:lane>" for lane_id, lane_name in LANES)
    lane_shapes = "\n".join(
        f'      <bpmndi:BPMNShape id="{lane_id}_di" bpmnElement="{lane_id}" isHorizontal="true">'
        f'<dc:Bounds x="180" y="{80 + 160 * index}" width="900" height="160" /></bpmndi:BPMNShape>'
        for index, (lane_id, _) in enumerate(LANES))
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs_{pid}" targetNamespace="https://zhifa.example/bpmn">
  <bpmn:collaboration id="collab_{pid}">
    <bpmn:participant id="pool_{pid}" name={title} processRef="{pid}" />
  </bpmn:collaboration>
  <bpmn:process id="{pid}" name={title} isExecutable="true">
    <bpmn:laneSet id="lanes_{pid}">
{lane_xml}
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="开始">
      <bpmn:outgoing>flow_start_end</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:endEvent id="end" name="结束">
      <bpmn:incoming>flow_start_end</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="flow_start_end" sourceRef="start" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram_{pid}">
    <bpmndi:BPMNPlane id="plane_{pid}" bpmnElement="collab_{pid}">
      <bpmndi:BPMNShape id="pool_{pid}_di" bpmnElement="pool_{pid}" isHorizontal="true"><dc:Bounds x="150" y="80" width="930" height="480" /></bpmndi:BPMNShape>
{lane_shapes}
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="232" y="142" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="932" y="142" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="flow_start_end_di" bpmnElement="flow_start_end"><di:waypoint x="268" y="160" /><di:waypoint x="932" y="160" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
'''
