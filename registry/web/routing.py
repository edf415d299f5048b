"""Numbers in paths that no record can have.

A number no database integer column can hold (PostgreSQL's ``integer`` ends at
2 147 483 647; SQLite overflows at 2**63) names no record, so such a path is
not found instead of reaching a query that fails. It is refused once the route
is chosen, not by the converter: a converter that refuses makes werkzeug answer
405 when another method's route has the same path.
"""

from flask import Flask
from werkzeug.exceptions import NotFound

LARGEST_DATABASE_INTEGER = 2**31 - 1


def init_app(app: Flask) -> None:
    @app.url_value_preprocessor
    def _refuse_numbers_no_record_has(_endpoint, values):
        if values and any(type(value) is int and value > LARGEST_DATABASE_INTEGER for value in values.values()):
            raise NotFound()
