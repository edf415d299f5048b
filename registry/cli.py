"""The ``registry`` command (SPEC §5): thin doors into the same operations as the pages.

A plain click group: no command builds the web application, and each imports
only what it needs, so that ``registry --help`` answers at once. A command
works in one session and commits once, at its end (``Registry.session``).
"""

import sys
from contextlib import contextmanager
from pathlib import Path

import click

from registry.core.errors import N_
from registry.core.language import LANGUAGES


def _actor():
    """The Actor of every command: the person at the console is not known to the registry."""
    from registry.audit import CLI, Actor

    return Actor(None, CLI)


def _fail(message: str, code: int = 1):
    click.echo(message, err=True)
    sys.exit(code)


def _language() -> str:
    context = click.get_current_context(silent=True)
    registry = context.find_object(Registry) if context else None
    return registry.lang if registry else "vi"


def _(message: str, **params) -> str:
    """``message`` (a Vietnamese message id, or a domain's message) in the language of the
    run, ``registry --lang`` or REGISTRY_LANG, with ``params`` filled in."""
    from registry.core.errors import translate
    from registry.core.language import gettext_for

    text = translate(message, gettext_for(_language()))
    return text % params if params else text


def _refusal(exc) -> str:
    """A domain error's message and each refused field, in the run's language."""
    return "\n".join([_(exc.message)] + [f"  {name}: {_(reason)}" for name, reason in exc.fields.items()])


def _no_such_user(email: str) -> str:
    return _("Không có người dùng đang hoạt động với thư điện tử %(email)s.", email=email)


class Registry:
    """What the commands share: the language of their messages, and the settings'
    database, opened when first asked for."""

    def __init__(self, lang: str = "vi"):
        self.lang = lang
        self._engine = None

    @property
    def database_url(self) -> str:
        # the same settings as the web application's: instance/ and its secret key are made on first use
        from registry import config

        return config.settings(config.instance_path())["DATABASE_URL"]

    @property
    def engine(self):
        if self._engine is None:
            from registry.core.db import make_engine

            self._engine = make_engine(self.database_url)
        return self._engine

    @contextmanager
    def session(self, writes: bool = True):
        """One session for the command: committed when the block ends normally (a
        writer), rolled back when it fails or exits; a reader never holds the write lock."""
        from registry.core.db import open_session

        session = open_session(self.engine, writes=writes)
        try:
            yield session
            if writes:
                session.commit()
        finally:
            session.close()

    @contextmanager
    def reading_period(self, period: int):
        """A reading session whose figures may be shared with every process
        (generations.only_reads), on an existing period; another ends the command with its message."""
        from registry.core import generations
        from registry.core.errors import DomainError
        from registry.submissions.periods import period_or_404

        with self.session(writes=False) as session:
            generations.only_reads(session)
            try:
                period_or_404(session, period)
            except DomainError as exc:
                _fail(_(exc.message))
            yield session

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


pass_registry = click.make_pass_decorator(Registry)


@click.command("init")
@pass_registry
def init_command(registry):
    """Create or upgrade the database schema, add the shipped targets, and publish again the
    closed periods an upgrade counts differently (SPEC §8.1); print what the upgrade leaves for
    an administrator to check."""
    from registry.core import schema
    from registry.indicators.definitions import ensure_indicators
    from registry.submissions.periods import republish_outdated
    from registry.targets import seed
    from registry.targets.publication import complete_publications, republish_reason

    notes = schema.upgrade(registry.engine)
    try:
        with registry.session() as session:
            added = seed.ensure_targets(session)
            indicators = ensure_indicators(session)
            # an upgrade that changed how figures are counted publishes the closed periods again (SPEC §8.1)
            republished = republish_outdated(session, _actor())
            completed = complete_publications(session)
        click.echo(_("Cơ sở dữ liệu đã ở phiên bản mới nhất; thêm %(targets)s chỉ tiêu, %(indicators)s chỉ số toàn "
                     "tỉnh.", targets=added, indicators=indicators))
        if republished:
            click.echo(_("Đã công bố lại %(count)s kỳ đã khóa (%(years)s), mỗi kỳ một đính chính: %(reason)s.",
                         count=len(republished), years=", ".join(str(p.year) for p in republished),
                         reason=_(republish_reason())))
        if completed:
            click.echo(_("Đã bổ sung phần công bố còn thiếu (số liệu từng cơ quan để chấm điểm, xếp hạng; chỉ số "
                         "toàn tỉnh) của %(count)s kỳ đã khóa (%(years)s).", count=len(completed),
                         years=", ".join(map(str, completed))))
    finally:  # the upgrade is committed: its notes are not written again by a later run
        _print_notes(notes)


def _print_notes(notes: list[str]) -> None:
    """The migrations' notes, to stderr, as they wrote them (migrations are not in the catalogue)."""
    if not notes:
        return
    click.echo(_("Quản trị viên cần kiểm tra sau khi nâng cấp:"), err=True)
    for note in notes:
        click.echo(f"  - {note}", err=True)
    click.echo(_("Số liệu đã công bố của một kỳ đã khóa không đổi theo những gì sửa sau đó (loại của một cơ quan, "
                 "cơ quan ngừng hoạt động, báo cáo): kỳ đó chỉ công bố lại khi được mở lại rồi khóa lại, thành một "
                 "đính chính (registry period reopen NĂM --reason …, rồi registry period close NĂM)."), err=True)


@click.command("demo")
@pass_registry
def demo_command(registry):
    """Load the Điện Biên demonstration data set (idempotent)."""
    from registry.core.errors import DomainError
    from registry.sample import demo

    with registry.session() as session:
        try:
            loaded, logins = demo.load(session)
        except DomainError as exc:
            _fail(_(exc.message))
    click.echo(_("Đã nạp dữ liệu minh họa Điện Biên.") if loaded else _("Dữ liệu minh họa đã có sẵn; không nạp lại."))
    click.echo(_("Tài khoản minh họa (chỉ dùng để trình diễn):"))
    for role, email, password in logins:
        click.echo(f"  {role:<8} {email:<42} {password}")


@click.group("user")
def user_group():
    """Manage user accounts."""


@user_group.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(["focal", "auditor", "admin"]), required=True)
@click.option("--agency", "agency_code", help="Agency code (required for a focal point).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_registry
def user_add_command(registry, email, role, agency_code, password_stdin):
    """Create a user."""
    from registry.accounts.users import create_user
    from registry.core.errors import DomainError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(_("Mật khẩu"), hide_input=True, confirmation_prompt=True)
    with registry.session() as session:
        try:
            user = create_user(session, _actor(), {"email": email, "password": password, "role": role,
                                                    "agency_code": agency_code})
        except DomainError as exc:
            _fail(_refusal(exc))
    click.echo(_("Đã tạo người dùng %(email)s (%(role)s).", email=user.email, role=user.role))


@click.group("token")
def token_group():
    """Personal API tokens."""


@token_group.command("create")
@click.argument("email")
@click.option("--name", default="registry token create", show_default=True, help="What the token is for.")
@pass_registry
def token_create_command(registry, email, name):
    """Print a new personal API token for that user (shown only once)."""
    from registry.accounts.tokens import create_api_token
    from registry.accounts.users import find_user
    from registry.core.errors import DomainError

    with registry.session() as session:
        user = find_user(session, email)
        if user is None or not user.active:
            _fail(_no_such_user(email))
        try:
            _token, secret = create_api_token(session, _actor(), user, name)
        except DomainError as exc:
            _fail(_(exc.message))
    click.echo(secret)


def _report_import(session, file, result, dry_run: bool, summary: str) -> None:
    """Every bad row and a failure (nothing written), or the summary; a dry run rolls back."""
    if not result.ok:
        for error in result.errors:
            click.echo(f"{file}: " + _("dòng %(row)s, cột %(column)s: %(reason)s", row=error.row, column=error.column,
                                       reason=_(error.reason)), err=True)
        _fail(_("%(count)s lỗi; không ghi dòng nào.", count=len(result.errors)))
    if dry_run:
        session.rollback()
        click.echo(_("Chạy thử (không ghi): %(summary)s", summary=summary))
    else:
        click.echo(summary)


@click.command("import")
@click.argument("kind", type=click.Choice(["agencies", "services", "levels", "reports"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and report, write nothing.")
@click.option("--as-verified", is_flag=True, help="Mark the written submissions verified (historic data).")
@pass_registry
def import_command(registry, kind, file, dry_run, as_verified):
    """Load CSV or XLSX rows: all of them, or none when any row is bad."""
    from registry.core.errors import DomainError
    from registry.dataio.importing import import_file

    with registry.session() as session:
        try:
            result = import_file(session, _actor(), kind, file.name, file.read_bytes(), as_verified=as_verified)
        except DomainError as exc:
            _fail(f"{file}: {_(exc.message)}")
        _report_import(session, file, result, dry_run, _(
            "%(rows)s dòng: %(created)s thêm mới, %(updated)s cập nhật, %(unchanged)s không đổi.", rows=result.rows,
            created=result.created, updated=result.updated, unchanged=result.unchanged))


def _person(session, email: str):
    """The Actor of a command run for a named person (``--as EMAIL``): an active user."""
    from sqlmodel import select

    from registry.audit import CLI, Actor
    from registry.models import User

    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None or not user.active:
        _fail(_no_such_user(email))
    return Actor(user, CLI)


@click.group("indicators")
def indicators_group():
    """Province-wide indicators (SPEC §3b): import values, verify them."""


@indicators_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "as_email", required=True, help="E-mail of the auditor entering the values.")
@click.option("--dry-run", is_flag=True, help="Check and report, write nothing.")
@pass_registry
def indicators_import_command(registry, file, as_email, dry_run):
    """Enter indicator values from CSV or XLSX: all rows, or none when any row is bad."""
    from registry import permissions as can
    from registry.core.errors import DomainError
    from registry.dataio.indicator_import import import_indicators

    with registry.session() as session:
        actor = _person(session, as_email)
        if not can.can_enter_indicators(actor.user):
            _fail(_("%(email)s không có quyền nhập chỉ số (cần vai trò chuyên viên thẩm định).", email=as_email))
        try:
            result = import_indicators(session, actor, file.name, file.read_bytes())
        except DomainError as exc:
            _fail(f"{file}: {_(exc.message)}")
        _report_import(session, file, result, dry_run, _(
            "%(rows)s dòng: %(created)s thêm mới, %(updated)s cập nhật; chờ xác minh.", rows=result.rows,
            created=result.created, updated=result.updated))


@indicators_group.command("verify")
@click.argument("year", type=int)
@click.argument("code")
@click.option("--as", "as_email", required=True, help="E-mail of the verifying auditor or administrator.")
@pass_registry
def indicators_verify_command(registry, year, code, as_email):
    """Verify an entered value (four eyes: not by whoever entered it)."""
    from registry import permissions as can
    from registry.core.errors import DomainError
    from registry.indicators import values

    with registry.session() as session:
        actor = _person(session, as_email)
        if not can.can_verify_indicators(actor.user):
            _fail(_("%(email)s không có quyền xác minh chỉ số.", email=as_email))
        try:
            values.verify(session, actor, code, year)
        except DomainError as exc:
            session.rollback()
            _fail(_(exc.message))
        click.echo(_("Đã xác minh chỉ số %(code)s kỳ %(year)s.", code=code, year=year))


@click.command("targets")
@click.option("--period", type=int, required=True, help="The reporting period (year).")
@click.option("--basis", type=click.Choice(["verified", "reported"]), default="verified", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the same object as GET /api/v1/targets.")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language (default: registry --lang).")
@pass_registry
def targets_command(registry, period, basis, as_json, lang):
    """Print each target's attainment for a period."""
    lang = registry.lang = lang or registry.lang
    if not as_json:
        # the shared results through the database's own driver: no SQLAlchemy, no tables (issue #18)
        from registry.targets.shared import kept_results

        kept = kept_results(registry.database_url, period, basis)
        if kept is not None:
            _print_targets(period, basis, kept, lang)
            return
    import json

    from registry.targets.cache import target_results, targets_object

    with registry.reading_period(period) as session:
        if as_json:
            body = targets_object(session, period, basis, lang)
        results = target_results(session, period, basis)
    if as_json:
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    _print_targets(period, basis, results, lang)


BASIS_WORDS = {"verified": N_("số liệu đã xác minh"), "reported": N_("số liệu đã báo cáo (gồm bản đã gửi)")}


def _print_targets(period: int, basis: str, results, lang: str) -> None:
    """``registry targets`` as a table, in the run's language."""
    from registry.core.numbers import number, percent
    from registry.core.vocabulary import RESULT_LABELS

    head = _("Kỳ báo cáo %(period)s, cơ sở tính: %(basis)s", period=period, basis=_(BASIS_WORDS[basis]))
    click.echo(head + (" (" + _("tạm tính") + ")" if any(r.provisional for r in results) else ""))
    for r in results:
        value = "—" if r.value is None else (
            percent(r.value, lang) if r.target.unit == "percent" else number(r.value, lang))
        coverage = _("bao phủ %(covered)s/%(total)s", covered=number(r.coverage.covered, lang),
                     total=number(r.coverage.total, lang))
        click.echo(f"{r.target.code:<32} {value:>8}  {r.target.comparator} {number(r.target.threshold, lang):<5} "
                   f"{_(RESULT_LABELS[r.status]):<16} ({number(r.numerator, lang)}/{number(r.denominator, lang)}; "
                   f"{coverage})")


@click.command("ranking")
@click.option("--period", type=int, required=True, help="The reporting period (year).")
@click.option("--json", "as_json", is_flag=True, help="Print the same object as GET /api/v1/rankings.")
@click.option("--scorecards", is_flag=True, help="With --json: each agency's full scorecard too.")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language (default: registry --lang).")
@pass_registry
def ranking_command(registry, period, as_json, scorecards, lang):
    """Print the scorecards and the ranking of a period (SPEC §3c), from verified data."""
    import json

    from registry.rankings.shared import kept_ranking
    from registry.rankings.text import ranking_lines

    lang = registry.lang = lang or registry.lang
    # what the last run kept, while the figures hold: no SQLAlchemy, no scoring (issue #14)
    body = None if scorecards else kept_ranking(registry.database_url, period, lang)
    if body is None:
        from registry.rankings.ranking import share_ranking

        with registry.reading_period(period) as session:
            body = share_ranking(session, period).as_dict(lang, full=scorecards)
    if as_json:
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    for line in ranking_lines(body, lang):
        click.echo(line)


@click.command("export")
@click.option("--period", type=int, required=True, help="The reporting period (year).")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default=None,
              help="xlsx: the whole report; csv: the targets table. Default: from the file name, else xlsx.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="The file to write.")
@click.option("--basis", type=click.Choice(["verified", "reported"]), default="verified", show_default=True)
@pass_registry
def export_command(registry, period, fmt, output, basis):
    """Write the DIC's report for a period (XLSX workbook, or the targets table as CSV)."""
    from registry.core.errors import DomainError
    from registry.dataio.dic_report import dic_report

    fmt = fmt or ("csv" if output.suffix.lower() == ".csv" else "xlsx")
    with registry.session(writes=False) as session:
        try:
            body = dic_report(session, period, fmt, basis)
        except DomainError as exc:
            _fail(_(exc.message))
    try:
        output.write_bytes(body)
    except OSError as exc:
        _fail(_("Không ghi được tệp %(file)s: %(error)s.", file=output, error=exc.strerror or exc))
    click.echo(_("Đã ghi báo cáo kỳ %(period)s (cơ sở tính: %(basis)s, %(format)s) vào %(file)s.", period=period,
                 basis=_(BASIS_WORDS[basis]), format=fmt, file=output))


@click.command("backup")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@pass_registry
def backup_command(registry, file, force):
    """Write a consistent copy of the database to FILE, while the registry keeps serving.

    SQLite: a database file; PostgreSQL: a pg_dump archive (-Fc) for pg_restore.
    """
    from registry.core.errors import DomainError
    from registry.dataio.backup import backup

    try:
        result = backup(registry.database_url, file, force=force)
    except DomainError as exc:
        _fail(_(exc.message))
    click.echo(_(result.summary))


@click.command("synth")
@click.option("--services", type=click.IntRange(min=0), required=True, help="How many public services.")
@click.option("--agencies", type=click.IntRange(min=1), required=True, help="How many agencies.")
@click.option("--periods", type=click.IntRange(min=1, max=50), required=True, help="How many yearly periods.")
@click.option("--seed", type=int, default=1529, show_default=True, help="The same seed gives the same registry.")
@pass_registry
def synth_command(registry, services, agencies, periods, seed):
    """Fill an empty database with a deterministic synthetic registry of that size, for benchmarks."""
    from registry.core.db import writer
    from registry.core.errors import DomainError
    from registry.sample.synth import synthesize

    try:
        summary = synthesize(writer(registry.engine), services=services, agencies=agencies, periods=periods, seed=seed,
                             progress=lambda line: click.echo(_(line), err=True))
    except DomainError as exc:
        _fail(_(exc.message))
    click.echo("\n".join(_(line) for line in summary.lines()))


@click.group(name="registry", help="Sổ đăng ký mức độ dịch vụ công — service-level registry.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="vi", show_default=True, envvar="REGISTRY_LANG",
              help="Language of the messages (or REGISTRY_LANG).")
@click.pass_context
def main(ctx, lang):
    ctx.obj = Registry(lang)
    ctx.call_on_close(ctx.obj.close)


for _command in (init_command, demo_command, user_group, token_group, import_command, indicators_group,
                 targets_command, export_command, backup_command, synth_command, ranking_command):
    main.add_command(_command)

from registry import cli_season  # noqa: E402  (the season's commands, defined apart to keep this file short)

for _command in (cli_season.mail_group, cli_season.remind_command, cli_season.period_group, cli_season.target_group):
    main.add_command(_command)
