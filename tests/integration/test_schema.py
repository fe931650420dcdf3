"""The migrations build the schema the models describe, on every backend, and can be walked back."""
from sqlalchemy import inspect

from inspections import schema
from inspections.db import Base, make_engine


def test_models_and_migrations_agree(database_url):
    assert schema.pending_differences(database_url) == []


def test_database_is_at_the_head_revision(database_url):
    assert schema.current_revision(database_url) == schema.head_revision()


def test_every_model_table_exists_after_upgrade(database_url):
    engine = make_engine(database_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) <= tables


def test_downgrade_to_nothing_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'walk.db'}"
    schema.upgrade(url)
    schema.downgrade(url, "base")
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    schema.upgrade(url)
    assert schema.pending_differences(url) == []
