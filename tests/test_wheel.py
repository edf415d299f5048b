"""An installed registry runs as a province would install it: the wheel built from
this checkout, installed into a fresh virtual environment, run from a folder that
is not the checkout (`registry init`, `registry demo`, `gunicorn registry.wsgi:app`).

Built with this environment's hatchling (no build isolation, so no download); the
fresh environment installs the wheel's dependencies from the package index (pip's
cache makes a second run quick). Outside CI an unreachable index skips.
"""

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
import requests

from bench.servers import Server, ServerSettings
from tests.conftest import unavailable

ROOT = Path(__file__).resolve().parent.parent


def _run(command: list, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=900, **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", folder, ROOT])
    assert built.returncode == 0, built.stderr[-3000:]
    (path,) = folder.glob("service_level_registry-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The bin/ folder of a fresh virtual environment holding only the wheel and its dependencies."""
    environment = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(environment)
    bin_dir = environment / "bin"
    done = _run([bin_dir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel])
    if done.returncode != 0:
        unavailable(f"pip could not install the wheel's dependencies (is the package index reachable?): "
                    f"{done.stderr[-1500:]}")
    return bin_dir


def test_the_wheel_carries_templates_static_files_migrations_and_compiled_translations(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for source, inside in (("templates/base.html", "registry/_files/templates/base.html"),
                           ("migrations/env.py", "registry/_files/migrations/env.py")):
        assert (ROOT / source).is_file() and inside in names
    assert any(n.startswith("registry/_files/static/") for n in names)
    assert "registry/_files/translations/en/LC_MESSAGES/messages.mo" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.startswith(("tests/", "bench/"))]


def test_an_installed_registry_initialises_loads_the_demo_and_serves(installed, tmp_path):
    place = tmp_path / "province"  # not the checkout: nothing may be read from it
    place.mkdir()
    env = {"PATH": f"{installed}:/usr/bin:/bin", "HOME": str(tmp_path), "SECRET_KEY": "wheel-test-secret"}
    where = _run([installed / "python", "-c", "import registry, sys; sys.stdout.write(registry.__file__)"],
                 cwd=place, env=env)
    assert not where.stdout.startswith(str(ROOT)), where.stdout

    init = _run([installed / "registry", "init"], cwd=place, env=env)
    assert init.returncode == 0, init.stdout + init.stderr
    demo = _run([installed / "registry", "demo"], cwd=place, env=env)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert (place / "instance").is_dir()  # the database lives beside where it is run

    with Server("registry.wsgi:app", env, ServerSettings(workers=1), tmp_path / "gunicorn.log",
                gunicorn=installed / "gunicorn", cwd=place) as server:
        home = requests.get(server.url("/"), timeout=60)
        assert home.status_code == 200, home.text[:500]
        assert "Điện Biên" in home.text
        stylesheet = next(part.split('"')[0] for part in home.text.split('href="')[1:] if ".css" in part.split('"')[0])
        assert requests.get(server.url(stylesheet), timeout=60).status_code == 200
        english = requests.get(server.url("/?lang=en"), timeout=60)
        assert english.status_code == 200 and 'lang="en"' in english.text
        assert "Targets" in english.text  # a translated word: the compiled catalogue was found
        targets = requests.get(server.url("/api/v1/targets?period=2015"), timeout=60)
        assert targets.status_code == 200 and targets.json()["targets"]
