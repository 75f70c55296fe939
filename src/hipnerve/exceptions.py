"""Errors hipnerve raises on purpose. Every message says what was wrong and what to do.

HipnerveError
├── KnowledgeError          a knowledge file is missing, malformed or inconsistent
├── InputError              a person's or a caller's input cannot be used
│   ├── UnknownFindingError     a finding id that the knowledge base does not have
│   ├── InvalidDemographicsError age outside 18-120, or an unknown sex
│   └── CaseFormatError         a vignette line that is not valid JSON or misses a key
└── InterviewStateError     an interview step that does not fit the interview's state
"""

from __future__ import annotations


class HipnerveError(Exception):
    """Base class for hipnerve's own errors."""


class KnowledgeError(HipnerveError):
    """The knowledge base is missing, malformed or inconsistent."""


class InputError(HipnerveError):
    """Input cannot be used; the message names the field and the problem."""


class UnknownFindingError(InputError):
    def __init__(self, finding_id: str) -> None:
        super().__init__(f"unknown finding id {finding_id!r}: see `hipnerve kb findings` for ids")
        self.finding_id = finding_id


class InvalidDemographicsError(InputError):
    """Age outside the adult range this tool is for, or an unknown sex."""


class CaseFormatError(InputError):
    """A vignette line that cannot be read."""


class InterviewStateError(HipnerveError):
    """An interview step that does not fit the interview's current state."""
