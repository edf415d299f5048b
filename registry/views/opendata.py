"""Open data downloads and the DIC's report."""

from flask import Blueprint

bp = Blueprint("opendata", __name__)
