"""The layout shows the architecture, and imports keep pointing inward: read from the
source with `ast` (no module is imported), so a new import across a boundary fails here
before anyone has to find it in review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# (packages whose modules are checked, module prefixes they must not import, why)
RULES = [
    ("walkthrough", ("projections", "web"), "the domain knows nothing of read models or HTTP"),
    ("projections", ("web",), "read models know nothing of HTTP"),
    ("web.http", ("web.routes", "web.cli", "web.demo"),
     "HTTP infrastructure serves every route and knows none"),
    ("web.composition", ("web.routes", "web.cli", "web.demo"),
     "the composition root builds services, not routes"),
    ("web.render", ("web",), "drawing needs nothing of the web package"),
    ("web.demo", ("projections", "web.routes", "web.http", "web.cli", "web.composition"),
     "the demo district is made with the domain's own commands"),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every module the file imports, at its top or inside a function, with relative
    imports resolved."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package.replace(".", "/")).rglob("*.py"))


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


@pytest.mark.parametrize(("package", "forbidden", "why"), RULES,
                         ids=[rule[0] for rule in RULES])
def test_imports_point_inward(package: str, forbidden: tuple[str, ...], why: str) -> None:
    assert sources(package), f"{package} has no modules: the layout changed, so must RULES"
    crossing = sorted(f"{module_name(path)} imports {module}"
                      for path in sources(package) for module in imported(path)
                      if any(within(module, prefix) for prefix in forbidden))
    assert not crossing, f"{why}:\n" + "\n".join(crossing)


def test_route_modules_import_no_other_route_module() -> None:
    """What two route modules share lives in web.http (idempotency, origin, ...)."""
    routes = [path for path in sources("web.routes") if path.name != "__init__.py"]
    assert len(routes) > 10
    crossing = sorted(f"{module_name(path)} imports {module}"
                      for path in routes for module in imported(path)
                      if within(module, "web.routes") and module != module_name(path))
    assert not crossing, "\n".join(crossing)


def test_nothing_outside_web_uses_the_demo_district() -> None:
    users = sorted(module_name(path) for package in ("walkthrough", "projections")
                   for path in sources(package)
                   if any(within(module, "web.demo") for module in imported(path)))
    assert not users


def test_web_has_only_its_packages_and_two_modules_at_the_top() -> None:
    """A new module goes into the package of its kind (routes, http, composition, cli,
    render, demo); only the app and the endpoint table stay at the top."""
    top = sorted(path.name for path in (ROOT / "web").glob("*.py"))
    assert top == ["__init__.py", "app.py", "endpoints.py"]
