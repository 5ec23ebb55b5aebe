"""Use cases. Each opens one transaction (`with uow:`) and commits it as its last act."""
