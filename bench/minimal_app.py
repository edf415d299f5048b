"""The baseline: the smallest Flask page, served under the same gunicorn settings as the registry.

Every page's throughput and p95 latency are reported as a ratio to this one's,
so that the machine, gunicorn and the load generator divide out.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "<!doctype html><title>hello</title><p>hello</p>"
