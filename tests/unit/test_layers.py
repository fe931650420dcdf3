"""The import direction of DESIGN.md: api → inspections → media, never back."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "inspections": {"api", "flask", "flask_smorest"},
    "media": {"api", "inspections", "flask", "flask_smorest", "sqlalchemy"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_lower_layers_never_import_upper_ones(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
        if _imports(path) & FORBIDDEN[package]
    }
    assert offenders == {}


def test_only_config_reads_the_environment():
    readers = [
        str(path.relative_to(ROOT))
        for package in ("api", "inspections", "media")
        for path in (ROOT / package).rglob("*.py")
        if "os.environ" in path.read_text() or "getenv" in path.read_text()
    ]
    assert readers == ["api/config.py"]


def test_importing_the_models_attaches_nothing_to_every_session():
    """The map's running counts are kept by the sessions the service makes (``map_cells.keep_counts`` on its
    factory), not by hooks on SQLAlchemy's Session class that importing a module would install."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    import inspections.models  # noqa: F401
    from inspections import map_cells

    assert [name for name, listener in map_cells._LISTENERS if event.contains(Session, name, listener)] == []
