"""The public service catalogue and agency pages."""

from flask import Blueprint

bp = Blueprint("catalogue", __name__)
