"""Open-data files are built once per generation of the figures and sent as files
(issue #16, item 7; SECURITY.md): a download costs a worker almost nothing and
supports ETag, If-None-Match and Range."""

from pathlib import Path

import pytest

from registry.dataio import opendata
from tests.factories import status

from .test_opendata_pages import world  # noqa: F401  (the same registry)

URL = "/open-data/2015/services.csv"


@pytest.fixture
def builds(monkeypatch):
    made = []
    real = opendata.open_data_stream

    def counting(*args, **kwargs):
        made.append(args[1:4])
        return real(*args, **kwargs)

    monkeypatch.setattr(opendata, "open_data_stream", counting)
    return made


def files_of(app) -> list[Path]:
    return sorted((Path(app.instance_path) / "opendata").glob("*"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_a_file_is_built_once_and_served_from_disk(app, client, world, builds, fmt):  # noqa: F811
    url = f"/open-data/2015/services.{fmt}"
    first = client.get(url)
    assert first.status_code == 200 and builds == [("services", 2015, fmt)]
    again = [app.test_client().get(url) for _ in range(3)]
    assert builds == [("services", 2015, fmt)]  # not made again
    assert all(r.get_data() == first.get_data() and r.headers["ETag"] == first.headers["ETag"] for r in again)
    assert first.headers["Cache-Control"] == "public, no-cache"
    assert first.headers["Accept-Ranges"] == "bytes"
    assert [p.name.endswith(f".{fmt}") for p in files_of(app)] == [True]


def test_ranges_and_revalidation(client, world):  # noqa: F811
    whole = client.get(URL)
    part = client.get(URL, headers={"Range": "bytes=3-12"})
    assert part.status_code == 206 and part.get_data() == whole.get_data()[3:13]
    assert part.headers["Content-Range"] == f"bytes 3-12/{len(whole.get_data())}"
    etag = whole.headers["ETag"]
    assert client.get(URL, headers={"If-None-Match": etag}).status_code == 304
    resumed = client.get(URL, headers={"Range": "bytes=10-", "If-Range": etag})
    assert resumed.status_code == 206 and resumed.get_data() == whole.get_data()[10:]


def test_a_verification_builds_a_new_file_and_removes_the_old(app, client, make, world, builds):  # noqa: F811
    before = client.get(URL)
    agency = make.agency(code="so-yt", name="Sở Y tế")
    other = make.service(agency, code="1.002", name="Dịch vụ mới")
    make.submission(agency, 2015, services={other.id: status(3)})
    after = client.get(URL)
    assert after.headers["ETag"] != before.headers["ETag"] and b"1.002" in after.get_data()
    assert len(builds) == 2 and len(files_of(app)) == 1
    assert client.get(URL, headers={"If-None-Match": before.headers["ETag"]}).status_code == 200
