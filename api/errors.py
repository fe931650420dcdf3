"""Every failure becomes flask-smorest's JSON error body ``{code, status, message, errors}``, once, here.

Domain exceptions map to one status each; a database or object store that is down answers 503 with
Retry-After so phones back off and retry; nothing a client sends may end in a bare 500.
"""
from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from sqlalchemy.exc import DataError, DBAPIError, OperationalError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.http import HTTP_STATUS_CODES

from inspections import errors as domain
from inspections.db import InstantOutOfRange
from inspections.photos import PhotoFileTooLarge
from media.photo import DecodeBusy, PhotoRejected, UnsupportedImageType
from media.storage import StorageUnavailable

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30

STATUS_OF = {
    domain.InvalidInput: 422,
    domain.AuthenticationFailed: 401,
    domain.Forbidden: 403,
    domain.NotFound: 404,
    domain.Conflict: 409,
}

# A refused photo: not a type we take, more bytes than allowed, else damaged, cut short or a decompression bomb.
PHOTO_STATUS_OF = {UnsupportedImageType: 415, PhotoFileTooLarge: 413, PhotoRejected: 422}


def error_response(status: int, message: str | None = None, errors: dict | None = None, headers=None, **extra):
    body = {"code": status, "status": HTTP_STATUS_CODES.get(status, "Error"), **extra}
    if message:
        body["message"] = message
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


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
    app.register_error_handler(DataError, _bad_value)
    app.register_error_handler(domain.DomainError, _domain_error)
    app.register_error_handler(PhotoRejected, _photo_rejected)
    app.register_error_handler(DecodeBusy, _decode_busy)
    app.register_error_handler(StorageUnavailable, _storage_down)
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(StatementError, _statement_error)
    app.register_error_handler(PoolTimeout, _database_error)
