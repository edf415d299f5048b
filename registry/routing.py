"""How numbers in paths are read.

A number no database integer column can hold (PostgreSQL's ``integer`` ends at
2 147 483 647; SQLite overflows at 2**63) can name no record, so such a path is
simply not found instead of reaching a query that fails.
"""

from flask import Flask
from werkzeug.routing import IntegerConverter

LARGEST_DATABASE_INTEGER = 2**31 - 1


class DatabaseIntegerConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST_DATABASE_INTEGER)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Before any route is added: rules pick their converters when they are added."""
    app.url_map.converters["int"] = DatabaseIntegerConverter
