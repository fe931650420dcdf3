"""Domain exceptions. The API maps each to one HTTP status in ``api/errors.py``."""
from __future__ import annotations


class DomainError(Exception):
    """Base of every error a caller caused; ``message`` is shown to the user as it is."""

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class NotFound(DomainError):
    """The record does not exist, or the caller may not know that it does."""


class Forbidden(DomainError):
    """The caller sees the record but may not do this to it."""


class Conflict(DomainError):
    """The request clashes with what is stored: a duplicate, a changed retry, a stale transition."""


class InvalidInput(DomainError):
    """Well-formed input that breaks a domain rule; ``errors`` maps field names to messages."""

    def __init__(self, message: str = "Invalid input.", errors: dict | None = None, **field_errors):
        super().__init__(message, {**(errors or {}), **{k: [v] for k, v in field_errors.items()}})


class AuthenticationFailed(DomainError):
    """Unknown user, wrong password, bad or expired token: all look the same to the caller."""
