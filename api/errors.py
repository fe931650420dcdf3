"""Every failure becomes flask-smorest's JSON error body ``{code, status, message, errors}``, once, here.

Domain exceptions map to one status each; a database or object store that is down answers 503 with
Retry-After so phones back off and retry; nothing a client sends may end in a bare 500.
"""
from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, request
from sqlalchemy.exc import DataError, DBAPIError, OperationalError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from inspections import errors as domain
from inspections.db import InstantOutOfRange
from inspections.photos import PhotoFileTooLarge
from inspections.sign_in_counters import CountersUnavailable
from inspections.sign_in_limits import TooManySignIns
from media.photo import DecodeBusy, PhotoRejected, UnsupportedImageType
from media.storage import StorageUnavailable

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30

STATUS_OF = {
    TooManySignIns: 429,
    domain.InvalidInput: 422,
    domain.AuthenticationFailed: 401,
    domain.Forbidden: 403,
    domain.NotFound: 404,
    domain.Conflict: 409,
}

# A refused photo: not a type we take, more bytes than allowed, else damaged, cut short or a decompression bomb.
PHOTO_STATUS_OF = {UnsupportedImageType: 415, PhotoFileTooLarge: 413, PhotoRejected: 422}


# What an error says when nothing more specific is known: every error body carries a message a phone app can show.
# Kept together here (with the ones below) so that they can be translated in one place.
STATUS_MESSAGES = {
    400: "The request is malformed.",
    401: "Sign in first.",
    403: "You may not do this.",
    404: "There is nothing at this address, or you may not see it.",
    405: "This address does not take that method.",
    409: "This conflicts with the current state.",
    413: "The request is too large.",
    415: "The request's media type is not supported.",
    422: "The request has errors.",
    429: "Too many requests; try again later.",
    500: "Something went wrong on the server.",
    503: "A service the request needs is unavailable; try again shortly.",
}
FIELD_ERRORS_MESSAGE = "Some fields are missing or not valid: {fields}."
METHOD_MESSAGE = "This address does not take {method}; it takes {allowed}."
TOO_LARGE_MESSAGE = "The request is too large: at most {mib:.0f} MiB are accepted."


def default_message(status: int) -> str:
    """The message of an error with nothing more specific to say."""
    return STATUS_MESSAGES.get(status) or HTTP_STATUS_CODES.get(status, "Error") + "."


def error_response(status: int, message: str | None = None, errors: dict | None = None, headers=None, **extra):
    """The one error body: ``{code, status, message, errors?}``, with a default message for the status."""
    body = {"code": status, "status": HTTP_STATUS_CODES.get(status, "Error"), **extra}
    body["message"] = message or default_message(status)
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _http_error(error: HTTPException):
    """Every HTTP error raised by Flask, werkzeug or webargs (flask-smorest's ``abort``): an unknown route (404),
    a method the route does not take (405), a body over the size limit (413), bad JSON (400) and field-validation
    errors (422, ``errors`` nested by location), all in the one error body, with a message."""
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    message = data.get("message") or _summary(errors) or _http_message(error)
    # werkzeug's own headers (a 405's Allow) are kept; its Content-Type is for its HTML page, not this body.
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    return error_response(error.code or 500, message, errors, headers)


def _http_message(error: HTTPException) -> str:
    if error.code == 405 and getattr(error, "valid_methods", None):
        return METHOD_MESSAGE.format(method=request.method, allowed=", ".join(sorted(error.valid_methods)))
    if error.code == 413 and current_app.config.get("MAX_CONTENT_LENGTH"):
        return TOO_LARGE_MESSAGE.format(mib=current_app.config["MAX_CONTENT_LENGTH"] / 2**20)
    return default_message(error.code or 500)


def _summary(errors) -> str | None:
    """One sentence for webargs' errors: the fields it names, or its words when it names none (bad JSON)."""
    if not isinstance(errors, dict):
        return None
    fields, words = [], []
    for found in errors.values():  # by location: json, query, form, files, headers
        if isinstance(found, dict):
            fields += [str(name) for name in found if name != "_schema"]
            words += [" ".join(map(str, found["_schema"]))] if "_schema" in found else []
        elif isinstance(found, list):
            words += [str(word) for word in found]
    if fields:
        return FIELD_ERRORS_MESSAGE.format(fields=", ".join(fields))
    return " ".join(words) or None


def _request_location() -> str:
    """Where the request's input came from, named as webargs names it in its field errors."""
    if request.method == "GET":
        return "query"
    if request.mimetype == "multipart/form-data":
        return "form"
    return "json"


def _domain_error(error: domain.DomainError):
    status = next(code for cls, code in STATUS_OF.items() if isinstance(error, cls))
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(error, TooManySignIns):
        headers = {"Retry-After": str(error.retry_after)}
    # Field errors are nested by location like webargs' own, so clients read every 422 the same way.
    errors = {_request_location(): error.errors} if error.errors else None
    return error_response(status, error.message, errors, headers)


def _photo_rejected(error: PhotoRejected):
    status = next(code for cls, code in PHOTO_STATUS_OF.items() if isinstance(error, cls))
    return error_response(status, f"The photo was refused: {error.reason}.")


def _decode_busy(error: DecodeBusy):
    log.warning("photo decoding busy: %s", error)
    return error_response(
        503, f"The server is busy decoding other photos; send this one again in {error.retry_after} seconds.",
        headers={"Retry-After": str(error.retry_after)},
    )


def _unavailable(what: str):
    return error_response(
        503, f"The {what} is not reachable just now; try again shortly.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def _storage_down(error: StorageUnavailable):
    log.warning("object store unavailable: %s", error)
    return _unavailable("object store")


def _counters_down(error: CountersUnavailable):
    log.warning("sign-in rate-limit store unavailable (RATELIMIT_STORAGE_URI): %s", error)
    return _unavailable("sign-in rate-limit store")


def _database_error(error: DBAPIError):
    # Only lost connections are the database being down; anything else is our bug and must surface.
    if isinstance(error, (OperationalError, PoolTimeout)) or getattr(error, "connection_invalidated", False):
        log.warning("database unavailable: %s", error)
        return _unavailable("database")
    raise error


def _bad_value(error: DataError):
    # The database refused a value as out of range or malformed: the client sent it, it is not our fault.
    log.info("value refused by the database: %s", error.orig)
    return error_response(422, "A value in the request is out of range or malformed.")


def _statement_error(error: StatementError):
    # Every date-time a client sends is range-checked where it is parsed (api.schemas.Instant); one that slipped
    # past a schema reaches the column type, which refuses it: still the client's value, so still a 422.
    if isinstance(error.orig, InstantOutOfRange):
        log.warning("an unchecked date-time reached the database: %s", error.orig)
        return error_response(422, f"A date-time in the request is out of range: {error.orig}.")
    raise error


def register(app: Flask) -> None:
    # Registered after flask-smorest's own handler for HTTPException, so it replaces it.
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DataError, _bad_value)
    app.register_error_handler(domain.DomainError, _domain_error)
    app.register_error_handler(PhotoRejected, _photo_rejected)
    app.register_error_handler(DecodeBusy, _decode_busy)
    app.register_error_handler(StorageUnavailable, _storage_down)
    app.register_error_handler(CountersUnavailable, _counters_down)
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(StatementError, _statement_error)
    app.register_error_handler(PoolTimeout, _database_error)
