"""Headers every answer of ours carries, whatever produced it (views, errors, static files, the map page)."""
from __future__ import annotations

from flask import Flask, Response


def _nosniff(response: Response) -> Response:
    # Browsers take our Content-Type as it is: a CSV export, a notice PDF, a thumbnail redirect or a JSON answer
    # holding text someone typed is never sniffed into an HTML page or a script.
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def register(app: Flask) -> None:
    app.after_request(_nosniff)
