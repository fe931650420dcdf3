"""Fixtures of the integration tests that need a database of their own (they migrate it down and up)."""
import pytest

from inspections import schema
from tests.conftest import TEST_DATABASE_URL, _postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database_url(request, tmp_path):
    """A freshly migrated database of each backend that no other test uses, dropped afterwards."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
        schema.upgrade(url)
        yield url
        return
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL half: set TEST_DATABASE_URL (as .ci/run does)")
    yield from _postgres_database()
