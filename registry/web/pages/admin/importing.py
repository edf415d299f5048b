"""Importing a CSV or XLSX file from the page, with a dry run."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from registry.core.errors import DomainError, translate
from registry.dataio import importing, stash
from registry.web.admin_forms import IMPORT_KIND_LABELS, ImportForm, StashedImportForm
from registry.web.auth import current_actor
from registry.web.db import get_session
from registry.web.lifecycle import discard, refused, rollback
from registry.web.pages.admin import bp, invalid_form, require_admin

IMPORT_ERRORS_SHOWN = 500  # a file can have a problem on every one of its rows


def _import_page(form, result=None, dry_run=False, status=200, stashed=None, stashed_name=""):
    errors = [(e.row, e.column, translate(e.reason, _)) for e in result.errors[:IMPORT_ERRORS_SHOWN]] if result else []
    return render_template("admin/import.html", form=form, result=result, errors=errors, dry_run=dry_run,
                           formats=importing.FORMATS, kinds=IMPORT_KIND_LABELS, stashed=stashed,
                           stashed_name=stashed_name, stash_hours=stash.STASH_HOURS), status


@bp.route("/import", methods=["GET", "POST"])
def import_data():
    """Upload a CSV or XLSX: "check" reports every bad row and writes nothing; "import"
    writes all the rows or, when any is bad, none and the same report."""
    require_admin("import")
    form = ImportForm()
    if request.method != "POST":
        return _import_page(form)
    if not form.validate():
        invalid_form()
        return _import_page(form, status=422)
    dry_run = bool(form.check.data)
    upload = form.file.data
    try:
        result = importing.import_file(get_session(), current_actor(), form.kind.data, upload.filename or "",
                                       upload.read(), as_verified=form.as_verified.data)
    except DomainError as exc:
        return _import_page(form, status=refused(exc, form))
    if not result.ok:
        rollback()  # nothing of a file with a bad row is kept
        return _import_page(form, result, dry_run, status=422)
    if dry_run:
        discard()  # nothing of a dry run is kept but the file, to be imported without choosing it again
        upload.seek(0)
        filename = upload.filename or ""
        token = stash.keep(get_session(), current_actor().id, form.kind.data, filename, upload.read())
        stashed = StashedImportForm(formdata=None, token=token, as_verified=form.as_verified.data)
        return _import_page(form, result, dry_run, stashed=stashed, stashed_name=filename)
    flash(_("Đã nhập %(rows)s dòng: %(created)s thêm mới, %(updated)s cập nhật, %(unchanged)s không đổi.",
            rows=result.rows, created=result.created, updated=result.updated, unchanged=result.unchanged),
          "info")
    return redirect(url_for("admin.import_data"))


@bp.get("/import/template/<kind>.<file_type>")
def import_template(kind: str, file_type: str):
    """A template file for ``kind``: the header row and an example row (CSV in UTF-8, or XLSX)."""
    from flask import Response

    from registry.dataio.templates import template_file

    require_admin("import")
    name, body = template_file(kind, file_type)  # NotFound for an unknown kind or type
    mimetype = ("text/csv; charset=utf-8" if file_type == "csv"
                else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- importing the file of a dry run, without choosing it again ------------------------

@bp.post("/import/stashed")
def import_stashed():
    """Import the file a dry run just checked (dataio/stash.py): all rows or none, as import_data."""
    require_admin("import")
    form = StashedImportForm()
    session = get_session()
    kept = stash.take(session, form.token.data, current_actor().id) if form.validate() else None
    if kept is None or kept.kind not in importing.FORMATS:
        flash(_("Tệp đã chạy thử không còn được giữ (quá %(hours)s giờ); hãy chọn lại tệp.",
                hours=stash.STASH_HOURS), "error")
        return redirect(url_for("admin.import_data"))
    kind = kept.kind
    try:
        result = importing.import_file(session, current_actor(), kind, kept.filename, kept.data,
                                       as_verified=form.as_verified.data)
    except DomainError as exc:
        refused(exc)
        return redirect(url_for("admin.import_data"))
    if not result.ok:  # the data changed since the dry run
        rollback()
        return _import_page(ImportForm(formdata=None, kind=kind), result, False, status=422)
    stash.forget(session, kept)
    flash(_("Đã nhập %(rows)s dòng: %(created)s thêm mới, %(updated)s cập nhật, %(unchanged)s không đổi.",
            rows=result.rows, created=result.created, updated=result.updated, unchanged=result.unchanged),
          "info")
    return redirect(url_for("admin.import_data"))
