"""Every HTML page of the application, from its URL map, with sample arguments from the
demonstration data and the role that may see it: the pages the layout test (browser) and
the English test load. A new route without a sample fails those tests until given one."""

from sqlmodel import select

from registry.core.vocabulary import PeriodStatus, State
from registry.models import Agency, Indicator, ReportingPeriod, Service, Submission, Target, User
from registry.sample.demo import DEMO_USERS

NOT_PAGES = ("static", "opendata.download", "review.audit_csv", "admin.import_template",
             "rankings.comparison_download",  # files, not pages
             "indicators.enter_latest")  # a redirect to the latest period's page
# who looks at a page: the first role whose endpoints prefix matches
VIEWERS = (("workspace.", "focal"), ("review.", "auditor"), ("opendata.dic_report", "auditor"),
           ("indicators.enter", "auditor"), ("rankings.method", "admin"),
           ("admin.", "admin"), ("auth.password", "admin"), ("auth.tokens", "admin"))


def _viewer(endpoint: str) -> str | None:
    return next((role for prefix, role in VIEWERS if endpoint.startswith(prefix)), None)


def _samples(app) -> dict:
    from registry.web.db import get_session

    with app.test_request_context():
        session = get_session()
        focal_agency = DEMO_USERS[2][3]
        submission = session.exec(select(Submission).order_by(Submission.id)).first()
        agency_of = session.get(Agency, submission.agency_id)
        open_year = session.exec(select(ReportingPeriod.year).order_by(ReportingPeriod.year.desc())).first()
        closed_year = session.exec(select(ReportingPeriod.year).where(ReportingPeriod.status == PeriodStatus.closed.value)
                                   .order_by(ReportingPeriod.year.desc())).first()
        submitted = session.exec(select(Submission).where(Submission.state == State.submitted.value)
                                 .order_by(Submission.id)).first()
        submitted_by = session.get(Agency, submitted.agency_id)
        return {
            "public.target_detail": {"code": session.exec(select(Target.code).order_by(Target.id)).first()},
            "catalogue.agency": {"code": "so-tttt"},
            # a district's people's committee: its page shows the whole district as well
            "catalogue.agency district": {"code": session.exec(
                select(Agency.code).where(Agency.tier == "district", Agency.kind == "people_committee")
                .order_by(Agency.code)).first()},
            "workspace.entries": {"code": focal_agency, "year": open_year},
            "review.submission": {"code": agency_of.code, "year": submission.period_year},
            "workspace.confirm_submit": {"code": focal_agency, "year": open_year},
            "review.confirm_verify": {"code": submitted_by.code, "year": submitted.period_year},
            "review.letter": {"year": open_year},
            "review.corrections": {"year": closed_year},
            "indicators.enter_page": {"year": open_year},
            "admin.period_close": {"year": open_year},
            "admin.period_reopen": {"year": closed_year},
            "admin.target_versions": {"target_id": session.exec(select(Target.id)).first()},
            "admin.indicator_versions_page": {"indicator_id": session.exec(select(Indicator.id)).first()},
            "admin.agency_edit": {"agency_id": session.exec(select(Agency.id)).first()},
            "admin.service_edit": {"service_id": session.exec(select(Service.id)).first()},
            "admin.target_edit": {"target_id": session.exec(select(Target.id)).first()},
            "admin.user_edit": {"user_id": session.exec(select(User.id)).first()},
        }


def html_pages(app) -> list[tuple[str, str, str | None]]:
    """(endpoint, path, role) of every HTML page."""
    from flask import url_for

    samples = _samples(app)
    pages = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint in NOT_PAGES or rule.endpoint.startswith("api."):
                continue
            args = samples.get(rule.endpoint, {})
            missing = set(rule.arguments) - set(args)
            assert not missing, f"give {rule.endpoint} sample arguments {missing} in tests/browser/test_layout.py"
            pages.append((rule.endpoint, url_for(rule.endpoint, **args), _viewer(rule.endpoint)))
            for variant in (name for name in samples if name.startswith(rule.endpoint + " ")):
                pages.append((rule.endpoint, url_for(rule.endpoint, **samples[variant]), _viewer(rule.endpoint)))
    return pages
