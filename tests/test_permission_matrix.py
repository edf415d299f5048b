"""Every route × method × kind of user, generated from app.url_map (SPEC §4).

A new route cannot escape: the test fails for any endpoint without a policy.
A refused request must change nothing but the audit log's record of the refusal.
"""

import re

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from registry.models import AuditEvent
from tests.factories import PASSWORD

USERS = ("anonymous", "focal", "other_focal", "auditor", "admin")

# Who may use each endpoint. "public": everyone; "signed_in": any account; "own_agency_read": the
# agency's focal point, auditors, admins; "own_agency_write": the agency's focal point;
# "workspace": focal points; "review_lists": auditors and admins; "review": auditors; "admin": admins.
POLICIES = {
    "public.index": "public",
    "static": "public",
    "auth.login": "public",
    "auth.logout": "public",
    "auth.password": "signed_in",
    "auth.tokens": "signed_in",
    "auth.revoke_token": "signed_in",
    "workspace.index": "workspace",
    "workspace.entries": "own_agency_read",
    "workspace.save_entries": "own_agency_write",
    "api.periods": "public",
    "api.targets": "public",
    "api.submission_read": "own_agency_read",
    "api.submission_write": "own_agency_write",
    "api.submission_submit": "own_agency_write",
    "api.submission_verify": "review",
    "api.submission_return": "review",
    "api.submission_reopen": "review",
    "api.agencies": "public",
    "api.agency": "public",
    "api.services": "public",
    "api.openapi_document": "public",
    "public.target_detail": "public",
    "catalogue.services": "public",
    "catalogue.agencies": "public",
    "catalogue.agency": "public",
    "opendata.index": "public",
    "opendata.download": "public",
    "opendata.dic_report": "review_lists",
    "indicators.index": "public",
    "api.indicators": "public",
    "indicators.enter_page": "review_lists",
    "indicators.enter_latest": "review_lists",
    "indicators.enter": "review",
    "indicators.verify": "review_lists",
    "workspace.note": "own_agency_write",
    "workspace.confirm_submit": "own_agency_write",
    "workspace.submit": "own_agency_write",
    "review.confirm_verify": "review",
    "api.rankings": "public",
    "rankings.index": "public",
    "rankings.method_form": "admin",
    "rankings.method_save": "admin",
    "rankings.comparison_download": "public",
}
PREFIX_POLICIES = (
    ("admin.", "admin"),
    ("review.audit_log", "review_lists"),
    ("review.audit_csv", "review_lists"),
)

ALLOWED = {
    "public": set(USERS),
    "signed_in": {"focal", "other_focal", "auditor", "admin"},
    "own_agency_read": {"focal", "auditor", "admin"},
    "own_agency_write": {"focal"},
    "workspace": {"focal", "other_focal"},
    "review_lists": {"auditor", "admin"},
    "review": {"auditor"},
    "admin": {"admin"},
}


def policy_for(endpoint: str, method: str) -> str:
    if endpoint in POLICIES:
        return POLICIES[endpoint]
    for prefix, policy in PREFIX_POLICIES:
        if endpoint.startswith(prefix):
            return policy
    if endpoint.startswith("review."):
        return "review_lists" if method == "GET" else "review"
    raise AssertionError(f"no permission policy for {endpoint}: add it to POLICIES")


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def build_url(rule, values) -> str:
    def fill(match):
        converter, name = match.group(1), match.group(2)
        if converter and converter.startswith("any("):  # the first of the choices
            return converter[4:].split(",")[0].strip(" )'\"")
        return str(values.get(name, 1 if converter and "int" in converter else "so-tp"))
    return re.sub(r"<(?:([\w]+(?:\([^)]*\))?):)?(\w+)>", fill, rule.rule)


def table_counts(db) -> dict:
    """Every table's row count, the audit log and the throttles without refusals, and each
    submission's state and version."""
    db.rollback()
    counts = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name == "audit_event":
            continue
        counted = select(func.count()).select_from(table)
        if table.name == "attempt_counter":  # anonymous refusals are counted there (issue 16), like the log's
            counted = counted.where(~table.c.key.startswith("refused:"))
        counts[table.name] = db.execute(counted).scalar_one()
    counts["audit"] = db.execute(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action != "access.denied")).scalar_one()
    counts["submissions"] = tuple(db.execute(select(SQLModel.metadata.tables["submission"].c.version,
                                                    SQLModel.metadata.tables["submission"].c.state)))
    return counts


@pytest.fixture
def world(app, make):
    agency = make.agency(code="so-tp")
    other = make.agency(code="so-yt")
    make.service(agency, code="1.001")
    make.submission(agency, 2015, "draft", report={"staff_total": 5})
    users = {"focal": make.user("focal", agency, email="focal@example.vn"),
             "other_focal": make.user("focal", other, email="other@example.vn"),
             "auditor": make.user("auditor", email="auditor@example.vn"),
             "admin": make.user("admin", email="admin@example.vn")}
    clients = {"anonymous": app.test_client()}
    for name, user in users.items():
        client = app.test_client()
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
        clients[name] = client
    return clients


def test_every_route_has_a_policy(app):
    for rule, method in routes(app):
        policy_for(rule.endpoint, method)


def test_permission_matrix(app, db, world):
    checked = 0
    for rule, method in routes(app):
        if rule.endpoint == "static":
            continue
        policy = policy_for(rule.endpoint, method)
        code = "post_radius_km" if rule.endpoint.startswith("indicators.") else "so-tp"  # an indicator's code
        url = build_url(rule, {"code": code, "year": 2015})
        if rule.endpoint == "opendata.dic_report":
            url += "?period=2015"
        for user in USERS:
            if rule.endpoint == "auth.logout":
                continue  # signing out is allowed to everyone and changes only the sign-in
            before = table_counts(db)
            response = world[user].open(url, method=method, data={"comment": "x", "reason": "x", "version": "0"})
            status = response.status_code
            allowed = user in ALLOWED[policy]
            if allowed:
                assert status not in (401, 403), (user, method, url, status)
                assert status < 500, (user, method, url, status)
            else:
                expected = {401, 302} if user == "anonymous" else {403}
                assert status in expected, (user, method, url, status)
                if status == 302:
                    assert response.headers["Location"].startswith("/login"), (user, method, url)
                assert table_counts(db) == before, (user, method, url)
            checked += 1
    assert checked > 50
