"""The WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi …``."""
import gc

from api import create_app

app = create_app()
# What start-up made (modules, models, the OpenAPI spec: hundreds of thousands of objects) lives as long as the
# process. Out of the cyclic collector's sight, a full collection no longer walks all of it in the middle of a
# request: a map answer of 2,000 markers allocates enough to trigger one, and paid ~100 ms for it.
gc.freeze()
