"""Fixtures of the integration tests that need a database of their own (they migrate it down and up)."""
import pytest

from tests.conftest import fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database_url(request, tmp_path):
    """A freshly migrated database of each backend that no other test uses, dropped afterwards."""
    yield from fresh_database(request.param, tmp_path)
