"""Where the registry's files beside the code are: templates, static files,
migrations and translations.

In a checkout they stand at the top of the repository (its layout is fixed);
an installed wheel carries them inside the package, under ``registry/_files``
(see pyproject.toml). Every module asks here instead of working paths out itself.
"""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
CHECKOUT = PACKAGE.parent
INSTALLED = PACKAGE / "_files"


def resource(name: str) -> Path:
    """The folder ``name`` (``templates``, ``static``, ``migrations``, ``translations``)."""
    installed = INSTALLED / name
    return installed if installed.is_dir() else CHECKOUT / name


def default_instance_path() -> Path:
    """``instance/`` beside a checkout; in the working directory for an installed registry."""
    if (CHECKOUT / "pyproject.toml").is_file() and not INSTALLED.is_dir():
        return CHECKOUT / "instance"
    return Path.cwd() / "instance"
