"""The web application for a WSGI server: ``gunicorn registry.wsgi:app``.

The one module that builds the app when imported; nothing else in the package does.
"""

from registry.app import create_app

app = create_app()
