"""The district map page (``/map``): an HTML shell, our own script and styles, and the vendored Leaflet.

The page holds no data of its own: it signs in and reads everything through ``/api/v1`` with a bearer
token kept in the browser tab's ``sessionStorage``.
"""
