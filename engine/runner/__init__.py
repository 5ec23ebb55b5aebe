"""Runs BPMN process instances on SpiffWorkflow: load, step, complete, fire timers, deliver messages, save."""
from .workflow import ReadyTask, StepFailed, WorkflowRunner

__all__ = ["ReadyTask", "StepFailed", "WorkflowRunner"]
