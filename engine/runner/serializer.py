"""Serialize instances without their spec: the spec is stored once per definition version and cached.

SpiffWorkflow embeds the whole spec in every serialized workflow and restores it on every load. Our converter
leaves it out on save and, on load, takes the already-restored spec objects from the per-version cache.
"""
from __future__ import annotations

import json
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG


class SharedSpecWorkflowConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow):
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        spec, subprocess_specs = dct.pop("spec"), dct.pop("subprocess_specs")
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], _uuid, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(_uuid(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _uuid(value):
    return UUID(value)


class InstanceSerializer:
    def __init__(self):
        config = dict(CAMUNDA_CONFIG)
        config[BpmnWorkflow] = SharedSpecWorkflowConverter
        self._serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
        self._registry = self._serializer.registry

    @property
    def registry(self):
        return self._registry

    def dump_spec(self, spec, subprocess_specs: dict) -> str:
        return json.dumps({
            "spec": self._registry.convert(spec),
            "subprocess_specs": {name: self._registry.convert(sub) for name, sub in subprocess_specs.items()},
        }, ensure_ascii=False)

    def load_spec(self, spec_json: str):
        dct = json.loads(spec_json)
        subprocess_specs = {name: self._registry.restore(sub) for name, sub in dct["subprocess_specs"].items()}
        return self._registry.restore(dct["spec"]), subprocess_specs

    def dump_instance(self, workflow) -> str:
        return self._serializer.serialize_json(workflow)

    def load_instance(self, state_json: str, spec, subprocess_specs, script_engine):
        dct = json.loads(state_json)
        self._serializer.migrate(dct)
        dct["spec"], dct["subprocess_specs"] = spec, subprocess_specs
        workflow = self._serializer.from_dict(dct)
        workflow.script_engine = script_engine
        return workflow
