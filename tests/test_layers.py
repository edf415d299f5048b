"""The package's layers (docs/ARCHITECTURE.md): imports run one way, and only the web
edge, the API, the app factory and the CLI may use Flask.

Read from the source with ``ast``, so that a function-local import counts as much
as one at the top of a module.
"""

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "registry"

# The web edge: pages, the API, the app factory and the WSGI module (and the package's lazy door to the factory).
# The CLI builds no web app.
EDGE = ("registry.web", "registry.api", "registry.app", "registry.wsgi")
FACTORY_DOOR = "registry"  # registry/__init__.py: create_app, importing registry.app when called
# Which packages each layer may import, besides the standard library and third parties.
ALLOWED = {
    "registry.core": ("registry.core", "registry.models"),
    "registry.models": ("registry.models", "registry.core", "registry.catalogue.levels"),
    "registry.config": ("registry.core",),
}
FLASK = ("flask", "flask_babel", "flask_login", "flask_wtf", "werkzeug", "wtforms", "jinja2")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "registry":  # from registry import models: the submodule is what is imported
                found.update(f"registry.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
    return found


MODULES = {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}
BELOW_THE_EDGE = sorted(m for m in MODULES if m != FACTORY_DOOR and not any(
    m == p or m.startswith(p + ".") for p in EDGE))


def _under(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_the_layout_is_what_the_architecture_says():
    for package in ("core", "models", "audit", "catalogue", "submissions", "targets", "accounts", "dataio", "sample",
                    "web", "api"):
        assert (PACKAGE / package / "__init__.py").exists(), package
    assert not (PACKAGE / "views").exists()


@pytest.mark.parametrize("module", BELOW_THE_EDGE)
def test_only_the_web_edge_uses_flask(module):
    used = {name for name in MODULES[module] if _under(name, FLASK)}
    assert not used, f"{module} imports {sorted(used)}: Flask belongs to registry/web, registry/api and app.py"


@pytest.mark.parametrize("module", BELOW_THE_EDGE)
def test_the_domain_never_reaches_up_into_the_web_edge(module):
    used = {name for name in MODULES[module] if _under(name, EDGE)}
    assert not used, f"{module} imports {sorted(used)}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _under(m, ("registry.api",))))
def test_the_api_does_not_import_page_views(module):
    used = {name for name in MODULES[module] if _under(name, ("registry.web.pages",))}
    assert not used, f"{module} imports {sorted(used)}: share the gate, lifecycle or cache instead"


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_lower_layers_import_only_what_is_below_them(layer):
    for module, imported in MODULES.items():
        if not _under(module, (layer,)):
            continue
        inside = {name for name in imported if name.startswith("registry")}
        wrong = {name for name in inside if not _under(name, ALLOWED[layer])}
        assert not wrong, f"{module} imports {sorted(wrong)}"


def test_the_command_line_imports_nothing_heavy_at_start():
    """`registry --help` must answer at once: every import of the CLI beyond click and the
    registry's words (two modules of the standard library only) is inside a command."""
    words = {"registry.core.errors", "registry.core.language"}
    for name in words:
        tree = ast.parse((PACKAGE / (name.removeprefix("registry.").replace(".", "/") + ".py")).read_text())
        top = {alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
        top |= {node.module for node in tree.body if isinstance(node, ast.ImportFrom)}
        assert {imported.split(".")[0] for imported in top} <= sys.stdlib_module_names, (name, top)
    for module, allowed in (("cli.py", {"sys", "contextlib", "pathlib", "click", "registry"} | words),
                            ("cli_season.py", {"sys", "pathlib", "click", "registry.cli"} | words)):
        tree = ast.parse((PACKAGE / module).read_text())
        top = {alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
        top |= {node.module for node in tree.body if isinstance(node, ast.ImportFrom)}
        assert top <= allowed, (module, top)
        names = {alias.name for node in tree.body if isinstance(node, ast.ImportFrom) and node.module == "registry"
                 for alias in node.names}
        assert names <= {"cli_season"}, names  # the package itself: only the season's commands


def test_no_module_is_too_long_to_read():
    """About 500 lines at most, data tables apart."""
    data_tables = {"registry.sample.demo_data", "registry.sample.synth_words"}
    long = {m: n for m, n in ((m, len((PACKAGE.parent / (m.replace(".", "/") + ".py")).read_text().splitlines())
                               if (PACKAGE.parent / (m.replace(".", "/") + ".py")).exists() else 0)
                              for m in MODULES) if n > 520 and m not in data_tables}
    assert not long, long
