"""What the wheel carries beside the code (hatchling build hook).

The repository keeps templates, static files, migrations and translations at its
top level (the layout is fixed); an installed registry finds them under
``registry/_files`` (registry/core/paths.py). hatchling's ``force-include`` of a
whole directory would copy the builder's disk verbatim (``__pycache__``, stray
files), so each file is named here instead, and the translations go in compiled
(``.mo``), which the repository does not keep.
"""

import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SHIPPED = ("templates", "static", "migrations")
INSIDE = "registry/_files"


def _shipped_files(root: Path, folder: str):
    for path in sorted((root / folder).rglob("*")):
        parts = path.relative_to(root).parts
        if path.is_file() and "__pycache__" not in parts and not any(p.startswith(".") for p in parts) \
                and path.suffix != ".pyc":
            yield path


class RegistryFilesHook(BuildHookInterface):
    PLUGIN_NAME = "registry-files"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install reads them from the checkout
        root = Path(self.root)
        included = build_data["force_include"]
        for folder in SHIPPED:
            for path in _shipped_files(root, folder):
                included[str(path)] = f"{INSIDE}/{path.relative_to(root).as_posix()}"
        self._compiled = tempfile.TemporaryDirectory(prefix="registry-mo-")
        for po in sorted((root / "translations").glob("*/LC_MESSAGES/*.po")):
            relative = po.relative_to(root).with_suffix(".mo")
            mo = Path(self._compiled.name) / relative
            _compile(po, mo)
            included[str(mo)] = f"{INSIDE}/{relative.as_posix()}"

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        if getattr(self, "_compiled", None) is not None:
            self._compiled.cleanup()


def _compile(po: Path, mo: Path) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source)
    mo.parent.mkdir(parents=True, exist_ok=True)
    with mo.open("wb") as target:
        write_mo(target, catalog)
