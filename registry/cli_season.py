"""The season's commands (SPEC §5): reporting periods (open, close and publish, re-open for a
correction), target versions, reminders and the delivery of the outbox. Registered by
registry/cli.py; like every command, each imports what it needs when it runs."""

import sys

import click

from registry.cli import _, _actor, _fail, _refusal, indicators_group, pass_registry
from registry.core.errors import N_


@click.group("mail")
def mail_group():
    """E-mail: deliver the outbox (SPEC §3d)."""


@mail_group.command("send")
@click.option("--loop", is_flag=True, help="Keep running: deliver what is due every --interval seconds.")
@click.option("--interval", type=click.FloatRange(min=1), default=60, show_default=True,
              help="Seconds between runs with --loop.")
@pass_registry
def mail_send_command(registry, loop, interval):
    """Deliver the messages waiting in the outbox (one run, for cron; or --loop)."""
    import signal

    from registry import config
    from registry.core.errors import DomainError
    from registry.mail.sender import MailSettings, send_due, send_loop, summary
    from registry.mail.smtp import parse_sender, parse_smtp_url

    settings = MailSettings.from_config(config.settings(config.instance_path()))
    try:
        parse_smtp_url(settings.smtp_url)
        parse_sender(settings.mail_from)
    except DomainError as exc:
        _fail(_(exc.message), 2)
    if loop:
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        click.echo(_("Đang chạy: gửi thư mỗi %(seconds)s giây (Ctrl+C để dừng).", seconds=f"{interval:g}"), err=True)
        try:
            send_loop(registry.engine, settings, interval, say=lambda line: click.echo(_(line), err=True),
                      should_stop=lambda: bool(stopping))
        except KeyboardInterrupt:
            pass
        return
    report = send_due(registry.engine, settings)
    for line in report.details:
        click.echo(_(line), err=True)
    click.echo(_(summary(report)))
    if report.error:
        sys.exit(1)


@click.command("remind")
@click.option("--period", "year", type=int, required=True, help="The reporting period (year).")
@click.option("--dry-run", is_flag=True, help="Say who would be reminded; write nothing.")
@click.option("--force", is_flag=True, help="Remind again agencies reminded within the last 24 hours.")
@pass_registry
def remind_command(registry, year, dry_run, force):
    """Write a reminder to the focal points of each late agency (delivered by `registry mail send`)."""
    from registry.core.errors import DomainError
    from registry.mail.remind import remind
    from registry.submissions.periods import period_or_404

    with registry.session() as session:
        try:
            period = period_or_404(session, year)
            result = remind(session, _actor(), period, force=force)
        except DomainError as exc:
            _fail(_(exc.message))
        for agency, emails, days in result.written:
            click.echo(f"{agency.code:<24} " + _("quá hạn %(days)s ngày → %(emails)s", days=days,
                                                 emails=", ".join(emails)))
        for agency in result.recent:
            click.echo(f"{agency.code:<24} " + _("đã nhắc trong 24 giờ qua; bỏ qua (dùng --force để nhắc lại)"))
        for agency in result.unreachable:
            click.echo(f"{agency.code:<24} " + _("không có cán bộ đầu mối đang hoạt động; không gửi được"), err=True)
        summary = _("Kỳ %(year)s, hạn nộp %(due)s: %(written)s cơ quan chậm nộp được nhắc (%(messages)s thư), "
                    "%(recent)s đã nhắc gần đây, %(unreachable)s không có đầu mối.", year=year,
                    due=result.due.strftime("%d/%m/%Y"), written=len(result.written), messages=result.messages,
                    recent=len(result.recent), unreachable=len(result.unreachable))
        if dry_run:
            session.rollback()
            click.echo(_("Chạy thử (không ghi): %(summary)s", summary=summary))
        elif result.messages:
            click.echo(summary + " " + _("Thư sẽ được gửi khi chạy `registry mail send`."))
        else:
            click.echo(summary)


def _refused(exc) -> None:
    _fail(_refusal(exc))


@click.group("period")
def period_group():
    """Reporting periods: open, close (publish), re-open for a correction."""


@period_group.command("open")
@click.argument("year", type=int)
@click.option("--due", help="The due date, YYYY-MM-DD (default: 31 January of the next year).")
@pass_registry
def period_open_command(registry, year, due):
    """Open a new reporting period, with its due date."""
    from registry.core.errors import DomainError
    from registry.submissions import periods, season

    with registry.session() as session:
        try:
            period = periods.open_period(session, _actor(), year)
            if due is not None:
                season.set_due_date(session, _actor(), period, due)
            due_text = period.due.strftime("%d/%m/%Y")
        except DomainError as exc:
            _refused(exc)
    click.echo(_("Đã mở kỳ báo cáo %(year)s, hạn nộp %(due)s.", year=year, due=due_text))


UNFINISHED_WORDS = {"draft": N_("bản nháp"), "submitted": N_("đã gửi, chưa xác minh"), "returned": N_("bị trả lại"),
                    "nothing": N_("chưa có báo cáo")}


@period_group.command("close")
@click.argument("year", type=int)
@click.option("--yes", is_flag=True, help="Close without asking, whatever is unfinished.")
@pass_registry
def period_close_command(registry, year, yes):
    """Close and publish a period: lists what is unfinished and asks first (rule 13)."""
    from registry.core.errors import DomainError
    from registry.submissions import periods

    with registry.session() as session:
        try:
            period = periods.period_or_404(session, year)
            left = periods.unfinished(session, period.year)
            if period.status != "closed":
                for state, agencies in left.items():
                    if agencies:
                        click.echo(_("%(state)s: %(count)s cơ quan", state=_(UNFINISHED_WORDS[state]),
                                     count=len(agencies)))
                        for code, name in agencies:
                            click.echo(f"  {code}  {name}")
                if not any(left.values()):
                    click.echo(_("Mọi cơ quan đã có báo cáo được xác minh."))
                if not yes and not click.confirm(_("Khóa và công bố kỳ báo cáo %(year)s?", year=year), default=False):
                    _fail(_("Chưa khóa kỳ báo cáo."))
            periods.close_period(session, _actor(), period)
        except DomainError as exc:
            _refused(exc)
    click.echo(_("Đã khóa và công bố kỳ báo cáo %(year)s.", year=year))


@period_group.command("reopen")
@click.argument("year", type=int)
@click.option("--reason", required=True, help="Why: the correction's public reason.")
@pass_registry
def period_reopen_command(registry, year, reason):
    """Re-open a closed period for a correction (rule 12)."""
    from registry.core.errors import DomainError
    from registry.submissions import periods

    with registry.session() as session:
        try:
            periods.reopen_period(session, _actor(), periods.period_or_404(session, year), reason)
        except DomainError as exc:
            _refused(exc)
    click.echo(_("Đã mở lại kỳ báo cáo %(year)s để đính chính; công chúng vẫn thấy số liệu đã công bố đến khi khóa "
                 "lại.", year=year))


@click.group("target")
def target_group():
    """Target definitions."""


@target_group.command("revise")
@click.argument("code")
@click.option("--from", "from_year", type=int, required=True, help="The first period of the new version.")
@click.option("--threshold", type=int)
@click.option("--comparator", type=click.Choice([">=", ">"]))
@click.option("--title-vi")
@click.option("--title-en")
@click.option("--citation")
@click.option("--scope")
@click.option("--deadline", type=int)
@pass_registry
def target_revise_command(registry, code, from_year, threshold, comparator, title_vi, title_en, citation, scope,
                          deadline):
    """A new version of a target from a period on (rule 11)."""
    from registry.models import Target
    from registry.targets.versions import revise_target

    number = _revise(registry, Target, code, revise_target, _("Không có chỉ tiêu %(code)s.", code=code), {
        "effective_from": from_year, "threshold": threshold, "comparator": comparator, "title_vi": title_vi,
        "title_en": title_en, "citation": citation, "scope": scope, "deadline": deadline})
    click.echo(_("Đã tạo phiên bản %(number)s của chỉ tiêu %(code)s, áp dụng từ kỳ %(year)s.", number=number, code=code,
                 year=from_year))


@indicators_group.command("revise")
@click.argument("code")
@click.option("--from", "from_year", type=int, required=True, help="The first period of the new version.")
@click.option("--threshold", help="An exact decimal (3,5 or 3.5).")
@click.option("--comparator", type=click.Choice(["<", "<=", ">", ">="]))
@click.option("--title-vi")
@click.option("--title-en")
@click.option("--citation")
@click.option("--deadline", type=int)
@pass_registry
def indicator_revise_command(registry, code, from_year, threshold, comparator, title_vi, title_en, citation,
                             deadline):
    """A new version of a province-wide indicator from a period on (SPEC §3b, rule 11)."""
    from registry.indicators.versions import revise_indicator
    from registry.models import Indicator

    number = _revise(registry, Indicator, code, revise_indicator, _("Không có chỉ số %(code)s.", code=code), {
        "effective_from": from_year, "threshold": threshold, "comparator": comparator, "title_vi": title_vi,
        "title_en": title_en, "citation": citation, "deadline": deadline})
    click.echo(_("Đã tạo phiên bản %(number)s của chỉ số %(code)s, áp dụng từ kỳ %(year)s.", number=number, code=code,
                 year=from_year))


def _revise(registry, model, code: str, revise, not_found: str, values: dict) -> int:
    """One new version of the definition ``code`` (a target or an indicator); its number."""
    from sqlmodel import select

    from registry.core.errors import DomainError

    with registry.session() as session:
        row = session.exec(select(model).where(model.code == code)).first()
        if row is None:
            _fail(not_found)
        try:
            version = revise(session, _actor(), row, values)
        except DomainError as exc:
            _refused(exc)
        return version.number
