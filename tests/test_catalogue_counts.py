"""Listing totals are counted once per generation of the figures, and never shown stale.

Counting every match takes PostgreSQL tens of milliseconds at national scale
(issue #7) and each page of a listing shows the same total, so the count is
kept per process under the target cache's tokens, which every change to
services, agencies and verified levels replaces in its own transaction.
"""

import pytest

from registry.catalogue import records
from registry.dataio.importing import import_file
from tests.factories import TEST_ACTOR

from . import test_target_cache
from .test_target_cache import YEAR, Statements, engine_of, file_report

world, other_worker = test_target_cache.world, test_target_cache.other_worker  # the same fixtures

LISTINGS = [f"/api/v1/services?period={YEAR}", f"/api/v1/services?period={YEAR}&q=thu+tuc",
            f"/api/v1/services?period={YEAR}&level=1", f"/api/v1/services?period={YEAR}&agency=so-tttt",
            f"/api/v1/services?period={YEAR}&sector=H%E1%BB%99+t%E1%BB%8Bch"]


def total(client, path: str) -> int:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["total"]


def counts_run(app, client, path: str) -> int:
    with Statements(engine_of(app)) as statements:
        total(client, path)
    return sum("count(" in s.lower() for s in statements.seen)


@pytest.mark.parametrize("path", LISTINGS)
def test_a_listing_is_counted_once_while_nothing_changes(app, client, world, path):
    assert counts_run(app, client, path) == 1
    assert counts_run(app, client, path) == 0
    assert counts_run(app, client, path + "&limit=1") == 0  # every page of it shows the same total


@pytest.mark.parametrize("change, expected", [
    ("deactivate_service", {"all": 3, "level1": 1, "agency": 3}),
    ("new_service", {"all": 5, "level1": 1, "agency": 5}),
    ("import_service", {"all": 5, "level1": 1, "agency": 5}),
    ("verify_another_at_level_1", {"all": 4, "level1": 2, "agency": 4}),
    ("import_levels_as_verified", {"all": 4, "level1": 4, "agency": 4}),
])
def test_every_change_behind_a_total_shows_at_once_in_every_worker(client, db, make, world, other_worker, change,
                                                                  expected):
    paths = {"all": LISTINGS[0], "level1": LISTINGS[2], "agency": LISTINGS[3]}
    workers = [client, other_worker.test_client()]
    for worker in workers:
        assert {name: total(worker, path) for name, path in paths.items()} == {"all": 4, "level1": 1, "agency": 4}
    services = world["services"]
    if change == "deactivate_service":
        records.update_service(db, TEST_ACTOR, services[3], {"active": False})
    elif change == "new_service":
        records.create_service(db, TEST_ACTOR, {"code": "1.009", "name": "Thủ tục mới", "agency_code": "so-tttt",
                                                "sector": "Hộ tịch"})
    elif change == "import_service":
        result = import_file(db, TEST_ACTOR, "services", "services.csv",
                             "code,name,agency_code,sector\n1.009,Thủ tục mới,so-tttt,Hộ tịch\n".encode())
        assert result.ok, result.errors
    elif change == "verify_another_at_level_1":
        file_report(make, world["agency"], [services[0], services[1]])
    else:
        rows = "".join(f"{s.code},{YEAR},1,https://dvc.example.vn/{s.code}\n" for s in services)
        result = import_file(db, TEST_ACTOR, "levels", "levels.csv",
                             f"service_code,period,level,info_url\n{rows}".encode(), as_verified=True)
        assert result.ok, result.errors
    db.commit()
    for worker in reversed(workers):
        assert {name: total(worker, path) for name, path in paths.items()} == expected


def test_a_verification_recounts_only_the_listings_of_its_own_levels(app, client, make, world):
    unfiltered, by_level = LISTINGS[0], LISTINGS[2]
    for path in (unfiltered, by_level):
        total(client, path)
    file_report(make, world["agency"], world["services"][:2])
    assert counts_run(app, client, unfiltered) == 0  # the same services are listed
    assert counts_run(app, client, by_level) == 1
    assert total(client, by_level) == 2
