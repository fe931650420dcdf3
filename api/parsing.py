"""Reading request bodies: the blueprint every resource uses, and the app's JSON, hardened in one place.

JSON nested some hundreds of levels deep (``{"a":{"a":…``) breaks whatever walks it recursively afterwards (the
schemas' checks, ``str()``, the error body) with a RecursionError, and beyond about a thousand levels Python's
decoder itself raises one. RecursionError is not a ValueError: neither webargs nor Flask takes it for malformed
JSON, so a client's body would end in a 500. Here a body nested deeper than any request of ours needs is invalid
JSON like any other: 400.
"""
from __future__ import annotations

import json

import flask_smorest
from flask.json.provider import DefaultJSONProvider
from webargs import core
from webargs.flaskparser import FlaskParser

# The deepest request body is an area's GeoJSON MultiPolygon, about 7 levels; the margin costs nothing.
MAX_DEPTH = 32


def _too_deep() -> json.JSONDecodeError:
    # webargs takes a decode error of an empty document for "no body"; this one must read as a bad body.
    return json.JSONDecodeError(f"The JSON is nested more than {MAX_DEPTH} levels deep.", "(too deep)", 0)


def _shallow(document):
    """``document`` when it nests at most MAX_DEPTH levels, counted level by level without recursion."""
    level, depth = [document], 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            raise _too_deep()
        level = [child for node in level if isinstance(node, (dict, list))
                 for child in (node.values() if isinstance(node, dict) else node)]
    return document


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON (``request.get_json``, which the sign-in rate limit reads): a body nested too deeply is
    malformed (400, or None when silent)."""

    def loads(self, s, **kwargs):
        try:
            return _shallow(super().loads(s, **kwargs))
        except RecursionError:
            raise _too_deep() from None


class ArgumentsParser(FlaskParser):
    """webargs' Flask parser (it decodes JSON itself): a body nested too deeply is invalid JSON (400)."""

    def _raw_load_json(self, req):
        try:
            document = super()._raw_load_json(req)
        except RecursionError:
            raise _too_deep() from None
        return document if document is core.missing else _shallow(document)


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with our parser: every resource's ``blp`` should be one."""

    ARGUMENTS_PARSER = ArgumentsParser()
