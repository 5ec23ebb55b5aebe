"""The sandbox for designer-written expressions and scripts (RestrictedPython, guards, time and step budget)."""
from .policy import ScriptRejected, check, compile_code
from .sandbox import Limits, SandboxedEnvironment, SandboxViolation, step, trusted

__all__ = ["Limits", "SandboxViolation", "SandboxedEnvironment", "ScriptRejected", "check", "compile_code",
           "step", "trusted"]
