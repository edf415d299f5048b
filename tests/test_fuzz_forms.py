"""Fuzzing every HTML form with hypothesis (issue #6).

Each form of the pages (sign-in, password change, API tokens, sign-out, the
focal point's entries, the auditor's verify/return/reopen, and every
administration form) is posted, by the user it is meant for, with plausible,
hostile and missing values: huge and negative numbers, NaN and infinity
spelled out, Vietnamese (composed and decomposed), control characters
including NUL, strings longer than any column, formula payloads, lists where a
single value is expected, and fields the form does not have (state,
agency_id, version, role… — mass assignment). Every search and filter form
(GET) gets the same treatment in its query string.

Whatever is sent: never a 5xx, and a redirect never leaves the site; a refused
submission shows a message and leaves the database exactly as it was; an
accepted one changes only what that form is for (a sign-in cannot change a
role, a saved draft cannot change its state or agency, an edit of one record
cannot touch another table). After any request that changed the database it is
restored, so that every example starts from the same registry and a failure
replays from its minimal example.

CSRF is disabled, as in the other page tests (tests/test_auth.py covers it).
"""

import functools
import itertools
import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session, SQLModel, select

from registry.accounts.passwords import hash_password
from registry.dataio import opendata
from registry.models import REPORT_COUNTS, REPORT_FIELDS, REPORT_FLAGS, Indicator, Kind, Target, Tier
from registry.web.admin_forms import FORMULA_LABELS
from tests.factories import PASSWORD
from tests.test_fuzz_api import (
    FUZZ_SETTINGS,
    OPEN,
    STATES,
    VOLATILE_TABLES,
    Registry,
    Snapshot,
    changes_between,
    database_snapshot,
    hostile_text,
    huge_numbers,
)

STRONG_PASSWORD = "ngựa đúng pin kẹp giấy 1529"
# Numbers a path may carry that no id or year column holds: PostgreSQL's integer, SQLite's.
OUT_OF_RANGE = (2**31, 2**63)
BEYOND_64_BITS = OUT_OF_RANGE[-1]
# Fields no form has, each set to what an attacker would want it to be.
MASS_ASSIGNMENT = {"state": "verified", "agency_id": "1", "agency": "so-yt", "agency_code": "so-yt", "version": "999",
                   "role": "admin", "id": "1", "user_id": "1", "email": "attacker@evil.example",
                   "password_hash": "x", "verified_sequence": "9", "period_year": "2014", "active": "1",
                   "is_admin": "1", "status": "open", "submitted_at": "2015-01-01", "created_at": "2000-01-01"}
ERROR_MARKUP = re.compile(r'class="flash flash-error"|<p class="error"|class="error-summary"')
# in either language: an example of the search forms may have chosen English (?lang=en) for the next ones
ERROR_PAGE = re.compile(r"<h1>(Không tìm thấy trang|Bạn không có quyền thực hiện thao tác này|"
                        r"Yêu cầu không hợp lệ|Dữ liệu gửi lên quá lớn|Page not found|You are not allowed to do this|"
                        r"Invalid request|What was sent is too large)</h1>")
SAVED_NOT_SUBMITTED = "Đã lưu bản nháp, nhưng chưa gửi được."


@functools.cache
def password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 on purpose slow: once per run


# --- the forms --------------------------------------------------------------------------------------

Check = Callable[[dict, Snapshot, Snapshot], None]


@dataclass
class Form:
    """A form: where it posts, who posts it, plausible values of its fields, and what
    an accepted submission may change (``table.column`` of an existing row, ``table+``
    for a new row)."""

    name: str
    role: str | None  # a key of Registry.emails; None: not signed in
    urls: st.SearchStrategy
    fields: dict[str, st.SearchStrategy]
    may_change: frozenset = frozenset()
    check: Check | None = None  # more that must hold after an accepted submission
    signs_out: bool = False
    # what a refusal may leave: a wrong password is counted by the throttle (and audited)
    refusal_may_change: frozenset = frozenset()


def _columns(table: str, *names: str) -> set[str]:
    return {f"{table}.{name}" for name in names}


AUDITED = {"audit_event+"}
NAME_KEYS = ("name_key", "name_sort")
VALIDITY = ("valid_from", "valid_to")
AGENCY_COLUMNS = _columns("agency", "code", "name", "name_en", "tier", "kind", "parent_id", "active", *NAME_KEYS,
                          *VALIDITY)
SERVICE_COLUMNS = _columns("service", "code", "name", "name_en", "agency_id", "sector", "active", "procedure_code",
                           *NAME_KEYS, *VALIDITY)
ENTRY_COLUMNS = (_columns("submission", *REPORT_FIELDS, "version", "updated_at", "state", "submitted_at")
                 | _columns("service_status", "level", "info_url", "form_url", "submission_url", "payment_url", "note")
                 | {"submission+", "service_status+", "submission_change+"})
TRANSITION_COLUMNS = (_columns("submission", "state", "version", "updated_at", "verified_sequence")
                      | {"verified_copy+", "verified_service_status+"})
TARGET_COLUMNS = _columns("target", *(c.name for c in Target.__table__.columns if c.name != "id"))

codes = st.sampled_from(["so-moi", "so-tp", "SO-TP", "so tp", "a" * 65, "so-tp\x00", "-so", "số-mới", "so.moi_2"])
names = st.sampled_from(["Sở Khoa học và Công nghệ", "UBND xã Mường Phăng", "=HYPERLINK(\"http://x\")", " ", "x"])
booleans = st.sampled_from(["y", "1", "on", "true", "", "0", "false", "không"])
years = st.sampled_from(["2015", "2016", "2101", "1999", "0", "-2015", "２０１５", "2015.0", "20 15"])
emails = st.sampled_from(["nguoi.moi@dienbien.example", "focal@so-tp.example", "FOCAL@SO-TP.EXAMPLE",
                          "khong-co-a-cong", "a@b", "ng\u01b0\u1eddi@d\u00e2n.vn", "a" * 300 + "@x.vn"])
passwords = st.sampled_from([STRONG_PASSWORD, PASSWORD, "short", "password1234", "a" * 300, ""])
roles = st.sampled_from(["focal", "auditor", "admin", "", "superuser"])
agency_codes = st.sampled_from([*STATES, "", "khong-co", "so-tp "])
report_values = st.sampled_from(["1", "0", "có", "không", "40", "38", "1000", "", "-1", "10000001", "1e3"])
levels = st.sampled_from(["0", "1", "2", "3", "4", "-1", ""])
urls = st.sampled_from(["https://dvc.example/a", "http://dvc.example/b", "", "javascript:alert(1)", "ftp://x",
                        "https://dvc.example/" + "a" * 3000])


def _state_moves(allowed: dict[str, str]) -> Check:
    """After an accepted transition, every submission that changed moved from one of
    ``allowed``'s keys to its value."""
    def check(values, before, after):
        for key, row in after["submission"].items():
            old = before["submission"].get(key)
            if old is not None and old["state"] != row["state"]:
                assert allowed.get(old["state"]) == row["state"], (old["state"], row["state"])
    return check


def _saved_entries(values, before, after):
    """A save changes the figures; its state only by the submit button, its version by at most a save and a submit."""
    action = values.get("action")
    submitting = (action[0] if isinstance(action, list) else action) == "submit"  # a form takes the first value
    for key, row in after["submission"].items():
        old = before["submission"].get(key)
        if old is None:
            assert row["state"] in ("draft", "submitted") and row["version"] <= 2
            continue
        assert row["agency_id"] == old["agency_id"] and row["period_year"] == old["period_year"]
        assert row["state"] == old["state"] or (submitting and row["state"] == "submitted"), row["state"]
        assert row["version"] <= old["version"] + 2


def _tokens_of(user_id: int) -> Check:
    """Only that user's tokens change."""
    def check(values, before, after):
        for key, row in after["api_token"].items():
            if before["api_token"].get(key) != row:
                assert row["user_id"] == user_id, "another user's token changed"
    return check


def forms(registry: Registry) -> list[Form]:
    focal = registry.agencies["so-tp"]
    own_services = registry.service_codes("so-tp")
    service_fields = {f"svc-{code}-{name}": strategy for code in own_services
                      for name, strategy in (("level", levels), ("info_url", urls), ("form_url", urls),
                                             ("submission_url", urls), ("payment_url", urls), ("note", names))}
    entry_paths = st.sampled_from([f"/workspace/so-tp/{OPEN}", f"/workspace/so-tp/{OPEN}", f"/workspace/so-yt/{OPEN}",
                                   "/workspace/so-tp/2014", "/workspace/so-tp/2013", "/workspace/khong-co/2015",
                                   f"/workspace/so-tp/{BEYOND_64_BITS}"])
    versions = st.sampled_from(["3", "2", "4", "0", "-1", "", "99999999999999999999"])

    confirmations = st.sampled_from(["yes", "yes", "", "no", "YES"])

    def review(action: str, text_field: str, moves: dict[str, str]) -> Form:
        paths = st.sampled_from([f"/review/{code}/{OPEN}/{action}" for code in STATES]
                                + [f"/review/so-gd/2014/{action}", f"/review/khong-co/{OPEN}/{action}",
                                   f"/review/so-tp/{BEYOND_64_BITS}/{action}"])
        return Form(f"review {action}", "auditor", paths,
                    {"version": versions, text_field: names, "confirm": confirmations},
                    TRANSITION_COLUMNS | AUDITED, _state_moves(moves))

    agency_fields = {"code": codes, "name": names, "name_en": names, "tier": st.sampled_from([t.value for t in Tier]),
                     "kind": st.sampled_from([k.value for k in Kind]), "parent_code": agency_codes,
                     "active": booleans}
    service_fields_admin = {"code": codes, "name": names, "name_en": names, "agency_code": agency_codes,
                            "sector": names, "active": booleans, "procedure_code": codes}
    target_fields = {
        "code": codes, "title_vi": names, "title_en": names, "citation": names,
        "formula": st.sampled_from([*FORMULA_LABELS, ""]), "unit": st.sampled_from(["percent", "count", "kg"]),
        "comparator": st.sampled_from([">=", ">", "<", "=="]), "threshold": st.sampled_from(["90", "101", "-1", "9e9"]),
        "deadline": years, "min_level": levels,
        "flags": st.lists(st.sampled_from([*REPORT_FLAGS, "staff_total", "x"]), max_size=3),
        "numerator_field": st.sampled_from([*REPORT_COUNTS, "has_lan", ""]),
        "denominator_field": st.sampled_from([*REPORT_COUNTS, ""]),
        "scope": st.sampled_from(["*:*", "district:department,school", "province:", "x:y", ";;", ""]),
        "position": st.sampled_from(["1", "100001", "-5", ""]), "active": booleans,
    }
    user = registry.user_ids["so-kh"]
    return [
        Form("sign-in", None, st.just("/login"),
             {"email": st.sampled_from([*registry.emails.values(), "nobody@example.vn"]), "password": passwords,
              "next": st.sampled_from(["/workspace/", "//evil.example/", "https://evil.example/", "/\\evil.example",
                                       "/%0d%0aSet-Cookie:x=1", "javascript:alert(1)"])},
             frozenset({"attempt_counter+", "attempt_counter.count"} | AUDITED),
             refusal_may_change=frozenset({"attempt_counter+", "attempt_counter.count"})),
        Form("password change", "so-tp", st.just("/account/password"),
             {"current": passwords, "new": passwords, "confirm": passwords},
             frozenset({"user_account.password_hash", "api_token.revoked_at", "attempt_counter+",
                        "attempt_counter.count"} | AUDITED),
             refusal_may_change=frozenset({"attempt_counter+", "attempt_counter.count"} | AUDITED)),
        Form("API token", "so-tp", st.just("/account/tokens"), {"name": names},
             frozenset({"api_token+"} | AUDITED)),
        Form("API token revoke", "so-tp",
             st.sampled_from([f"/account/tokens/{t}/revoke" for t in registry.token_ids.values()] + [
                 "/account/tokens/0/revoke", f"/account/tokens/{BEYOND_64_BITS}/revoke"]),
             {}, frozenset({"api_token.revoked_at"} | AUDITED), _tokens_of(registry.user_ids["so-tp"])),
        Form("sign-out", "so-tp", st.just("/logout"), {}, signs_out=True),
        Form("entries", "so-tp", entry_paths,
             {"version": versions, "action": st.sampled_from(["save", "submit", "verify", ""]),
              **{f"report-{name}": report_values for name in REPORT_FIELDS},
              "service": st.lists(st.sampled_from([*own_services, "so-yt.1", "khong-co"]), max_size=3),
              "conflict": st.lists(st.sampled_from(["report.staff_total", f"services.{own_services[0]}.level",
                                                    "services.khong-co.note", "x"]), max_size=3),
              "choice-report.staff_total": st.sampled_from(["mine", "theirs", "x"]),
              f"choice-services.{own_services[0]}.level": st.sampled_from(["mine", "theirs", ""]),
              **service_fields}, frozenset(ENTRY_COLUMNS | AUDITED), _saved_entries),
        Form("submit", "so-tp", entry_paths.map(lambda path: path + "/submit"),
             {"version": versions, "confirm": confirmations},
             frozenset(TRANSITION_COLUMNS | _columns("submission", "submitted_at") | AUDITED),
             _state_moves({"draft": "submitted", "returned": "submitted"})),
        review("verify", "comment", {"submitted": "verified"}),
        review("return", "comment", {"submitted": "returned"}),
        review("reopen", "reason", {"verified": "draft"}),
        Form("new agency", "admin", st.just("/admin/agencies/new"), agency_fields, frozenset({"agency+"} | AUDITED)),
        Form("agency", "admin", st.sampled_from([f"/admin/agencies/{focal.id}", "/admin/agencies/999999",
                                            f"/admin/agencies/{BEYOND_64_BITS}"]),
             agency_fields, frozenset(AGENCY_COLUMNS | AUDITED)),
        Form("new service", "admin", st.just("/admin/services/new"), service_fields_admin,
             frozenset({"service+"} | AUDITED)),
        Form("service", "admin", st.just(f"/admin/services/{registry.services['so-tp'][0].id}"), service_fields_admin,
             frozenset(SERVICE_COLUMNS | AUDITED)),
        Form("new user", "admin", st.just("/admin/users/new"),
             {"email": emails, "role": roles, "agency_code": agency_codes, "password": passwords,
              "confirm": passwords}, frozenset({"user_account+"} | AUDITED)),
        Form("user", "admin", st.just(f"/admin/users/{user}"),
             {"role": roles, "agency_code": agency_codes, "active": booleans},
             frozenset(_columns("user_account", "role", "agency_id", "active", "language", "phone")
                       | {"api_token.revoked_at"} | AUDITED)),
        Form("password reset", "admin", st.just(f"/admin/users/{user}/password"),
             {"password": passwords, "confirm": passwords},
             frozenset({"user_account.password_hash", "api_token.revoked_at"} | AUDITED)),
        Form("new period", "admin", st.just("/admin/periods"), {"year": years},
             frozenset({"reporting_period+"} | AUDITED)),
        Form("period open/close", "admin",
             st.sampled_from([f"/admin/periods/{year}/{action}" for year in (OPEN, 2014, 2013, BEYOND_64_BITS)
                              for action in ("open", "close")]),
             {}, frozenset({"reporting_period.status", "reporting_period.correction_reason", "published_part+",
                            "published_part.payload", "published_part.published_at", "correction+"} | AUDITED)),
        Form("new target", "admin", st.just("/admin/targets/new"), target_fields, frozenset({"target+"} | AUDITED)),
        Form("target", "admin", st.just(f"/admin/targets/{registry.target_id}"), target_fields,
             frozenset(TARGET_COLUMNS | AUDITED)),
        Form("period reopen", "admin",
             st.sampled_from([f"/admin/periods/{year}/reopen" for year in (OPEN, 2014, 2013, BEYOND_64_BITS)]),
             {"reason": names}, frozenset({"reporting_period.status", "reporting_period.correction_reason"} | AUDITED)),
        Form("target version", "admin", st.just(f"/admin/targets/{registry.target_id}/versions"),
             {"effective_from": years, "title_vi": names, "title_en": names, "citation": names,
              "comparator": target_fields["comparator"], "threshold": target_fields["threshold"],
              "deadline": years, "scope": st.sampled_from(["*:school", "x:y", ""])},
             frozenset({"target_version+"} | AUDITED)),
        Form("indicator version", "admin", st.just(f"/admin/indicators/{registry.indicator_id}/versions"),
             {"effective_from": years, "title_vi": names, "title_en": names, "citation": names,
              "comparator": st.sampled_from(["<", "<=", ">", ">=", "=", ""]),
              "threshold": st.sampled_from(["1500", "3,5", "3.5", "1.500", "-1", "abc", "1e3", "120"]),
              "deadline": years},
             frozenset({"indicator_version+"} | AUDITED)),
        Form("ranking method", "admin", st.just("/admin/ranking-method"),
             {"effective_from": years, "points-has_lan": levels, "points-services_level3": huge_numbers.map(str),
              "minimum-good": st.sampled_from(["150", "0", "-1", "abc", "99999999999"])},
             frozenset({"ranking_method+"} | _columns("ranking_method", "document", "updated_at") | AUDITED)),
    ]


FORM_NAMES = ["sign-in", "password change", "API token", "API token revoke", "sign-out", "entries", "submit",
              "review verify",
              "review return", "review reopen", "new agency", "agency", "new service", "service", "new user", "user",
              "password reset", "new period", "period open/close", "new target", "target", "period reopen",
              "target version", "indicator version", "ranking method"]


def values_for(form: Form):
    """Each field plausible, hostile, several values at once, or missing; plus fields the form lacks."""
    def field_value(plausible):
        return st.one_of(plausible, plausible, hostile_text, huge_numbers.map(str),
                         st.lists(st.one_of(plausible, hostile_text), min_size=2, max_size=3), st.none())

    extras = {k: v for k, v in MASS_ASSIGNMENT.items() if k not in form.fields}
    return st.tuples(
        st.fixed_dictionaries({name: field_value(strategy) for name, strategy in form.fields.items()}),
        st.dictionaries(st.sampled_from(sorted(extras)), st.none(), max_size=4) if extras else st.just({}),
    ).map(lambda pair: ({k: v for k, v in pair[0].items() if v is not None} | {k: extras[k] for k in pair[1]}))


# --- the registry behind the forms ------------------------------------------------------------------

class FormsRegistry(Registry):
    """The API fuzz's registry, with passwords to sign in with, restored after every change."""

    def __init__(self, app, make_agency, make_service, client):
        super().__init__(app, make_agency, make_service, password_hash=password_hash())
        self.client = client
        self.rebuild()
        with Session(self.engine) as session:
            self.target_id = session.exec(select(Target.id).order_by(Target.id)).first()
            self.indicator_id = session.exec(select(Indicator.id).order_by(Indicator.id)).first()
            self.initial = database_snapshot(session, everything=True)
        self.signed_in_as = None

    @staticmethod
    def _settled(dump: Snapshot) -> Snapshot:
        """Without sign-ins and caches, which come and go (failed sign-ins stay: the throttle counts them)."""
        audit = {key: row for key, row in dump["audit_event"].items() if row["action"] != "login.success"}
        return {**{k: v for k, v in dump.items() if k not in VOLATILE_TABLES}, "audit_event": audit}

    def restore(self) -> None:
        """Back to the registry as it was made, if anything changed (sign-ins aside)."""
        with Session(self.engine) as session:
            current = database_snapshot(session, everything=True)
        if self._settled(current) == self._settled(self.initial):
            return
        with self.engine.begin() as connection:
            for table in reversed(SQLModel.metadata.sorted_tables):
                connection.execute(table.delete())
            for table in SQLModel.metadata.sorted_tables:
                rows = list(self.initial[table.name].values())
                if rows:
                    connection.execute(table.insert(), rows)
        self.signed_in_as = None

    def sign_in(self, role: str | None) -> None:
        if role is None:
            self.client.post("/logout")
        elif self.signed_in_as != role:
            response = self.client.post("/login", data={"email": self.emails[role], "password": PASSWORD})
            assert response.status_code == 302, f"{role} could not sign in"
        self.signed_in_as = role


@pytest.fixture
def forms_registry(app, make_agency, make_service, client):
    return FormsRegistry(app, make_agency, make_service, client)


# --- what a response must be -------------------------------------------------------------------------

def outcome(client, response) -> tuple[bool, str]:
    """(refused, the page the user ends up on), following a redirect, which must stay on the site."""
    status = response.status_code
    body = response.get_data()  # read to the end: a streamed download holds its database session till then
    response.close()
    assert status < 500, body[:1000]
    if 300 <= status < 400:
        location = response.headers["Location"]
        parts = urlsplit(location)
        assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost"), f"redirect off the site: {location}"
        page = client.get(location).get_data(as_text=True)
        return "flash flash-error" in page, page
    if response.mimetype != "text/html":
        return status >= 400, ""  # a download
    page = body.decode()
    return status >= 400 or bool(ERROR_MARKUP.search(page)), page


@pytest.mark.parametrize("name", FORM_NAMES)
def test_every_form(forms_registry, db, name):
    registry = forms_registry
    form = {f.name: f for f in forms(registry)}[name]

    @FUZZ_SETTINGS
    @given(url=form.urls, values=values_for(form))
    def one_submission(url, values):
        registry.restore()
        if form.signs_out:
            registry.signed_in_as = None
        registry.sign_in(form.role)
        db.rollback()
        before = database_snapshot(db)
        response = registry.client.post(url, data=values)
        refused, page = outcome(registry.client, response)
        db.rollback()
        after = database_snapshot(db)
        if refused and SAVED_NOT_SUBMITTED not in page:
            assert ERROR_MARKUP.search(page) or ERROR_PAGE.search(page), "a refusal must say why"
            changed = changes_between(before, after)
            assert changed <= form.refusal_may_change, f"refused ({response.status_code}), but changed {sorted(changed)}"
            return
        assert changes_between(before, after) <= form.may_change, sorted(changes_between(before, after) - form.may_change)
        if form.check:
            form.check(values, before, after)
        if form.signs_out:
            registry.signed_in_as = None

    one_submission()


def test_the_fuzzed_forms_are_every_form_of_the_pages(forms_registry):
    """Every POST route of the pages is fuzzed (but the import page, which has its own suite)."""
    app = forms_registry.app
    fuzzed = {f.name for f in forms(forms_registry)}
    assert fuzzed == set(FORM_NAMES)
    posted = {rule.rule for rule in app.url_map.iter_rules()
              if "POST" in rule.methods and not rule.rule.startswith("/api/") and rule.endpoint != "admin.import_data"}
    covered = {"/login", "/logout", "/account/password", "/account/tokens", "/account/tokens/<int:token_id>/revoke",
               "/workspace/<code>/<int:year>", "/workspace/<code>/<int:year>/submit", "/review/<code>/<int:year>/verify",
               "/review/<code>/<int:year>/return", "/review/<code>/<int:year>/reopen", "/admin/agencies/new",
               "/admin/agencies/<int:agency_id>", "/admin/services/new", "/admin/services/<int:service_id>",
               "/admin/users/new", "/admin/users/<int:user_id>", "/admin/users/<int:user_id>/password",
               "/admin/periods", "/admin/periods/<int:year>/open", "/admin/periods/<int:year>/close",
               "/admin/targets/new", "/admin/targets/<int:target_id>", "/admin/periods/<int:year>/reopen",
               "/admin/targets/<int:target_id>/versions", "/admin/indicators/<int:indicator_id>/versions",
               "/admin/ranking-method"}
    # Forms of this round not fuzzed yet (each has its own tests of bad input): named here so that
    # any further form still fails this test until it is fuzzed or listed.
    not_yet_fuzzed = {"/admin/import/stashed", "/admin/outbox/<int:message_id>/retry", "/admin/periods/<int:year>/due",
                      "/admin/users/<int:user_id>/tokens/revoke", "/review/<code>/<int:year>/note",
                      "/review/indicators/<int:year>/<code>", "/review/indicators/<int:year>/<code>/verify",
                      "/workspace/<code>/<int:year>/note"}
    assert posted == covered | not_yet_fuzzed


# --- search and filter forms (GET) ---------------------------------------------------------------------

QUERIES = {
    None: [("/", {"period": years, "lang": st.sampled_from(["vi", "en", "fr"])}),
           ("/targets/services_level1_pct", {"period": years, "show": st.sampled_from(["counted", "missing", "x"]),
                                             "page": st.sampled_from(["1", "0", "-1", "99999999999999999999"])}),
           ("/targets/khong-co", {"period": years}),
           ("/services", {"q": names, "period": years, "agency": agency_codes, "sector": names, "level": levels,
                          "after": st.sampled_from(["", "abc", "\x00", "9" * 500])}),
           ("/agencies", {"q": names, "tier": st.sampled_from(["district", "x"]), "kind": st.sampled_from(["school"]),
                          "after": st.sampled_from(["", "abc"])}),
           ("/agencies/so-gd", {"period": years, "after": st.sampled_from(["", "abc"])}),
           ("/open-data", {"period": years})],
    "auditor": [("/review/report", {"period": years, "basis": st.sampled_from(["verified", "reported", "x"]),
                                    "format": st.sampled_from(["xlsx", "csv", "pdf"])}),
                ("/review/audit", {"agency": agency_codes, "user": emails, "action": st.sampled_from(["login.failed"]),
                                   "date_from": st.sampled_from(["2015-01-01", "2015-13-45", "0000-00-00"]),
                                   "date_to": st.sampled_from(["2014-01-01", "9999-12-31"]),
                                   "before": st.sampled_from(["1", "-1", "9" * 30])})],
    "admin": [("/admin/agencies", {"tier": st.sampled_from(["province", "x"]), "kind": st.sampled_from(["school"]),
                                   "active": booleans, "q": names, "page": st.sampled_from(["2", "0", "9" * 30])}),
              ("/admin/services", {"agency": agency_codes, "sector": names, "active": booleans, "q": names,
                                   "page": st.sampled_from(["1", "x"])}),
              ("/admin/users", {"role": roles, "active": booleans, "q": st.sampled_from(["%", "_", "\\"]),
                                "page": st.sampled_from(["1", "-3"])})],
}


@pytest.mark.parametrize("role", list(QUERIES), ids=lambda r: r or "anonymous")
def test_every_search_and_filter_form(forms_registry, db, role):
    registry = forms_registry
    pages = st.sampled_from(QUERIES[role]).flatmap(
        lambda page: st.tuples(st.just(page[0]), values_for(Form(page[0], role, st.just(page[0]), page[1]))))

    @FUZZ_SETTINGS
    @given(page=pages)
    def one_query(page):
        path, values = page
        registry.restore()
        registry.sign_in(role)
        db.rollback()
        before = database_snapshot(db)
        response = registry.client.get(path, query_string=values)
        refused, body = outcome(registry.client, response)
        if response.status_code >= 400:
            assert ERROR_MARKUP.search(body) or ERROR_PAGE.search(body), "a refusal must say why"
        db.rollback()
        assert database_snapshot(db) == before

    one_query()


# --- numbers in paths ---------------------------------------------------------------------------------

PLAIN_ARGUMENTS = {"code": "so-tp", "dataset": opendata.DATASETS[0], "fmt": opendata.OPEN_DATA_FORMATS[0]}


@pytest.mark.parametrize("role", ["admin", "auditor", "so-tp"])
def test_numbers_no_database_integer_holds_in_paths_are_not_found(app, forms_registry, db, role):
    """Every route with a number in its path, by every method, with numbers beyond 32 and 64 bits."""
    registry = forms_registry
    registry.sign_in(role)
    adapter = app.url_map.bind("localhost")
    problems = []
    for rule in app.url_map.iter_rules():
        numbers = [name for name, converter in rule._converters.items() if type(converter).__name__ == "IntegerConverter"]
        if not numbers or rule.endpoint == "admin.import_data":
            continue
        plain = {name: value for name, value in PLAIN_ARGUMENTS.items() if name in rule.arguments}
        for number, method in itertools.product(OUT_OF_RANGE, sorted(rule.methods - {"HEAD", "OPTIONS"})):
            path = adapter.build(rule.endpoint, {**plain, **{name: number for name in numbers}})
            db.rollback()
            before = database_snapshot(db)
            try:
                status = registry.client.open(path, method=method, json={"version": 0}).status_code
            except Exception as exc:  # the test client re-raises what the app did not handle: a 500
                problems.append(f"{method} {path}: {type(exc).__name__}: {exc}")
                continue
            if not 400 <= status < 500:
                problems.append(f"{method} {path}: {status}")
            db.rollback()
            if database_snapshot(db) != before:
                problems.append(f"{method} {path}: changed the database")
    assert not problems, "\n".join(problems)
