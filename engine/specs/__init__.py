"""Load, validate and version BPMN definitions."""
from .loader import ParsedDefinition, load_directory, parse_bpmn

__all__ = ["ParsedDefinition", "load_directory", "parse_bpmn"]
