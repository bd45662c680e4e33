"""The project's one exception tree.

Every expected failure is an ``AssistError``; the CLI and the API translate them into messages and HTTP
responses at their edges, so nothing below those edges knows about exit codes or status codes::

    AssistError
    ├── ConfigError                  a setting is missing or invalid (``setting`` names it)
    ├── ModelUnavailableError        the embedding model cannot be loaded (``setting`` names the fix)
    ├── IngestError
    │   ├── UnsupportedFormatError   a file type no loader reads (``path``)
    │   └── DocumentReadError        a file that cannot be read or parsed (``path``, ``reason``)
    ├── StoreError
    │   ├── StoreUnavailableError    a database or index that cannot be reached (``backend``)
    │   └── ConflictError            a record changed under the caller (a move no longer allowed)
    ├── RetrievalError
    │   ├── InvalidQueryError        an empty or oversized question (``reason``)
    │   └── VersionNotFoundError     a version filter that matches nothing (``version``, ``nearest``)
    ├── FlowError
    │   └── FlowDefinitionError      a malformed flow (``file``, ``flow``, ``step``, ``fix``)
    ├── EscalationError
    │   ├── NotCoveredError          no active contract covers the site or asset (``reason``)
    │   └── AccountsError            malformed accounts data (``file``, ``line``)
    ├── SessionError                 unknown session, bad token, finished session (``code``)
    ├── AuthError                    an engineer not signed in, a wrong password, an expired session
    ├── MoveError                    an engineer move that is not possible now (the reason)
    └── KcsError                     a KCS article that is invalid, unknown, or not in a state for
                                     the change (``problems`` lists every rule broken; ``code``)
"""

from __future__ import annotations


class AssistError(Exception):
    """Base of every expected error; ``code`` is a stable machine-readable name."""

    code = "assist_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(AssistError):
    code = "config_error"

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


class ModelUnavailableError(AssistError):
    code = "model_unavailable"

    def __init__(self, message: str, *, setting: str) -> None:
        super().__init__(message)
        self.setting = setting


class IngestError(AssistError):
    code = "ingest_error"


class UnsupportedFormatError(IngestError):
    code = "unsupported_format"

    def __init__(self, path: str) -> None:
        super().__init__(f"{path}: unsupported file type")
        self.path = path


class DocumentReadError(IngestError):
    code = "document_unreadable"

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class StoreError(AssistError):
    code = "store_error"


class StoreUnavailableError(StoreError):
    code = "store_unavailable"

    def __init__(self, message: str, *, backend: str) -> None:
        super().__init__(message)
        self.backend = backend


class ConflictError(StoreError):
    code = "conflict"


class RetrievalError(AssistError):
    code = "retrieval_error"


class InvalidQueryError(RetrievalError):
    code = "invalid_query"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class VersionNotFoundError(RetrievalError):
    code = "version_not_found"

    def __init__(self, version: str, nearest: list[str], product: str | None = None) -> None:
        where = f" for {product}" if product else ""
        near = ", ".join(nearest) if nearest else "none"
        super().__init__(f"no notes{where} for version {version}; nearest: {near}")
        self.version = version
        self.nearest = nearest
        self.product = product


class FlowError(AssistError):
    code = "flow_error"


class FlowDefinitionError(FlowError):
    code = "flow_definition"

    def __init__(
        self,
        problem: str,
        *,
        file: str,
        flow: str | None = None,
        step: str | None = None,
        fix: str | None = None,
    ) -> None:
        where = file + (f", flow '{flow}'" if flow else "") + (f", step '{step}'" if step else "")
        text = f"{where}: {problem}" + (f" Fix: {fix}" if fix else "")
        super().__init__(text)
        self.problem = problem
        self.file = file
        self.flow = flow
        self.step = step
        self.fix = fix


class EscalationError(AssistError):
    code = "escalation_error"


class NotCoveredError(EscalationError):
    code = "not_covered"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AccountsError(EscalationError):
    code = "accounts_invalid"

    def __init__(self, problem: str, *, file: str, line: int | None = None) -> None:
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {problem}")
        self.problem = problem
        self.file = file
        self.line = line


class SessionError(AssistError):
    code = "session_error"

    def __init__(self, message: str, *, code: str = "session_error") -> None:
        super().__init__(message)
        self.code = code


class MoveError(AssistError):
    """An engineer move (claim, resolve, hand back) refused, with the reason in words: the
    handoff's status does not allow it (``move_refused``) or something it needs is missing
    (``move_incomplete``)."""

    def __init__(self, message: str, *, code: str = "move_refused") -> None:
        super().__init__(message)
        self.code = code


class AuthError(AssistError):
    """An engineer who is not signed in (or whose session expired), or a wrong password."""

    code = "unauthorized"


class KcsError(AssistError):
    """A KCS article refused, with the reason in words: invalid (``kcs_invalid``, ``problems``
    lists every rule it breaks), unknown (``kcs_not_found``), not in a state for the change
    (``kcs_conflict``), or its publication failed and it stayed a draft (``kcs_publish_failed``)."""

    def __init__(
        self, message: str, *, code: str = "kcs_invalid", problems: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.problems = problems or [message]
