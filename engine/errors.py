"""Domain errors. The engine raises only these; the web app maps them to HTTP statuses and pages."""
from __future__ import annotations


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str, *, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields


class NotFound(DomainError):
    code = "not_found"


class NotAuthorized(DomainError):
    """The actor is known but may not do this."""
    code = "forbidden"


class ValidationFailed(DomainError):
    """Input data broke the rules; `fields` maps field names to lists of messages."""
    code = "validation_failed"


class TaskNotOpen(DomainError):
    """The task was completed, cancelled or withdrawn in the meantime."""
    code = "task_not_open"


class ConcurrencyConflict(DomainError):
    """Someone else changed the same case first; nothing of this request was saved."""
    code = "conflict"


class InvalidState(DomainError):
    """The case or instance is not in a state that allows this action."""
    code = "invalid_state"


class EngineFailure(DomainError):
    """The process itself failed (a script or expression raised); the step was rolled back."""
    code = "engine_error"

    def __init__(self, message: str, *, element_id: str | None = None, instance_id: int | None = None,
                 detail: str | None = None):
        super().__init__(message)
        self.element_id = element_id
        self.instance_id = instance_id
        self.detail = detail  # the technical cause (an exception's text): for administrators, never for the clerk


class DefinitionProblem(DomainError):
    """A BPMN file could not be loaded; `problems` name the file and element."""
    code = "invalid_definition"

    def __init__(self, message: str, *, problems: list[dict]):
        super().__init__(message)
        self.problems = problems
