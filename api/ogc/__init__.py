"""OGC API – Features (Part 1 Core, GeoJSON) at ``/ogc``: the hazards as a feature collection for GIS clients.

QGIS, GDAL's OAPIF driver and OWSLib open it as they are, sending the same bearer token as the phone app;
every answer is limited to what ``GET /api/v1/hazards`` would show the caller.
"""
