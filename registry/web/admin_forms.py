"""WTForms for the administration pages. Messages are Vietnamese message ids,
translated lazily.

The forms check what a form can (presence, length, the password typed twice);
the rules of the registry (codes, choices, parents, numbers, target
definitions) are checked once, by registry.administration, whose per-field
messages the pages put back beside the fields.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

try:  # WTForms ≥ 3.3 deprecates (value, label) tuples
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - WTForms 3.1, 3.2
    SelectChoice = None

from registry.accounts.passwords import MIN_PASSWORD_LENGTH
from registry.catalogue.levels import LEVELS
from registry.core.vocabulary import KIND_LABELS, REPORT_LABELS, ROLE_LABELS, TIER_LABELS
from registry.models import REPORT_COUNTS, REPORT_FLAGS, Comparator, Formula, Kind, Role, Tier, Unit
from registry.targets.definitions import scope_cells, scope_from_cells

REQUIRED = _l("bắt buộc")
TOO_LONG = _l("Quá dài.")

FORMULA_LABELS = {
    Formula.service_level_share.value: _l("Tỷ lệ dịch vụ công đạt mức độ tối thiểu"),
    Formula.service_level_count.value: _l("Số dịch vụ công đạt mức độ tối thiểu"),
    Formula.agency_flag_share.value: _l("Tỷ lệ cơ quan, đơn vị đáp ứng các tiêu chí"),
    Formula.report_sum_ratio.value: _l("Tỷ lệ giữa tổng hai số liệu của báo cáo"),
}
UNIT_LABELS = {Unit.percent.value: _l("phần trăm"), Unit.count.value: _l("số lượng")}
COMPARATOR_LABELS = {Comparator.at_least.value: _l("≥ (từ … trở lên)"), Comparator.more_than.value: _l("> (trên …)")}

AGENCY_LIST = "agency-codes"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


STRIP = [_strip]  # the id of the page's <datalist> of agency codes


def _option(value: str, label):
    return SelectChoice(value, label) if SelectChoice is not None else (value, label)


def _choices(values, labels) -> list:
    return [_option(v, _l(labels[v]) if isinstance(labels[v], str) else labels[v]) for v in values]


def _blank(text=None) -> list:
    return [_option("", text or _l("— chọn —"))]


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes; the template draws it as a fieldset."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ScopeField(StringField):
    """A target's scope chosen in a grid of tiers and kinds (macro scope_grid): one checkbox
    per cell, each named like the field with the value ``tier:kind`` or ``tier:*``, kept as
    the scope's text (targets/definitions.py). A typed scope is read the same way."""

    def process_formdata(self, valuelist):
        chosen = [value for value in valuelist if value and value.strip()]
        if not chosen:
            self.data = ""
            return
        cells = set()
        for value in chosen:
            cells |= scope_cells(value[:1000])
        self.data = scope_from_cells(cells)

    def cells(self) -> set[tuple[str, str]]:
        """The cells to show checked: those of the scope, every agency when it is empty."""
        return scope_cells(self.data or "")


def _text(label, max_length: int, required: bool = True, message=TOO_LONG, **render_kw) -> StringField:
    """A trimmed text field; ``required`` ones must not be blank."""
    validators = [DataRequired(REQUIRED) if required else Optional(), Length(max=max_length, message=message)]
    return StringField(label, filters=STRIP, validators=validators, render_kw=render_kw or None)


def _select(label, choices, required: bool = True) -> SelectField:
    # Choices are checked by registry.administration, with a message in the page's language.
    return SelectField(label, choices=choices, validate_choice=False,
                       validators=[DataRequired(REQUIRED)] if required else [])


def _agency_code(label, required: bool = False) -> StringField:
    return _text(label, 64, required, list=AGENCY_LIST, autocomplete="off")


def _new_password(label, confirm_label, mismatch):
    password = PasswordField(label, validators=[
        DataRequired(REQUIRED),
        Length(min=MIN_PASSWORD_LENGTH, message=_l("Mật khẩu phải có ít nhất 12 ký tự."))],
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(confirm_label, validators=[EqualTo("password", message=mismatch)],
                            render_kw={"autocomplete": "new-password"})
    return password, confirm


class AgencyForm(FlaskForm):
    code = _text(_l("Mã cơ quan"), 64)
    name = _text(_l("Tên cơ quan"), 255)
    name_en = _text(_l("Tên tiếng Anh"), 255, required=False)
    tier = _select(_l("Cấp"), _blank() + _choices([t.value for t in Tier], TIER_LABELS))
    kind = _select(_l("Loại cơ quan"), _blank() + _choices([k.value for k in Kind], KIND_LABELS))
    parent_code = _agency_code(_l("Mã cơ quan cấp trên"))
    active = BooleanField(_l("Đang hoạt động"), default=True)
    submit = SubmitField(_l("Lưu"))


class ServiceForm(FlaskForm):
    code = _text(_l("Mã thủ tục"), 64)
    name = _text(_l("Tên thủ tục hành chính"), 500)
    name_en = _text(_l("Tên tiếng Anh"), 500, required=False)
    agency_code = _agency_code(_l("Mã cơ quan thực hiện"), required=True)
    sector = _text(_l("Lĩnh vực"), 128, list="sectors", autocomplete="off")
    procedure_code = _text(_l("Mã thủ tục hành chính (quốc gia)"), 64, required=False)
    active = BooleanField(_l("Đang áp dụng"), default=True)
    submit = SubmitField(_l("Lưu"))


ROLE_CHOICES = _choices([r.value for r in Role], ROLE_LABELS)


class UserCreateForm(FlaskForm):
    email = _text(_l("E-mail"), 254, type="email", autocomplete="off")
    role = _select(_l("Vai trò"), _blank() + ROLE_CHOICES)
    agency_code = _agency_code(_l("Mã cơ quan"))
    password, confirm = _new_password(_l("Mật khẩu ban đầu"), _l("Nhập lại mật khẩu"),
                                      _l("Hai lần nhập mật khẩu không khớp."))
    submit = SubmitField(_l("Tạo người dùng"))


class UserEditForm(FlaskForm):
    role = _select(_l("Vai trò"), ROLE_CHOICES)
    agency_code = _agency_code(_l("Mã cơ quan"))
    active = BooleanField(_l("Đang hoạt động"))
    phone = _text(_l("Số điện thoại"), 32, required=False, type="tel", autocomplete="off")
    language = _select(_l("Ngôn ngữ của thư"), [("vi", "Tiếng Việt"), ("en", "English")], required=False)
    submit = SubmitField(_l("Lưu"))


class PasswordResetForm(FlaskForm):
    password, confirm = _new_password(_l("Mật khẩu mới"), _l("Nhập lại mật khẩu mới"),
                                      _l("Hai lần nhập mật khẩu mới không khớp."))
    submit = SubmitField(_l("Đặt lại mật khẩu"))


YEAR_LENGTH = _l("Năm có 4 chữ số.")
NOT_USED = _l("— không dùng —")


class PeriodForm(FlaskForm):
    year = _text(_l("Năm"), 4, message=YEAR_LENGTH, inputmode="numeric")
    submit = SubmitField(_l("Tạo kỳ báo cáo"))


class TargetForm(FlaskForm):
    code = _text(_l("Mã chỉ tiêu"), 64)
    title_vi = _text(_l("Tên chỉ tiêu (tiếng Việt)"), 1000)
    title_en = _text(_l("Tên chỉ tiêu (tiếng Anh)"), 1000)
    citation = _text(_l("Căn cứ (văn bản, điều khoản)"), 1000)
    formula = _select(_l("Cách tính"), _blank() + _choices(FORMULA_LABELS, FORMULA_LABELS))
    unit = _select(_l("Đơn vị"), _choices(UNIT_LABELS, UNIT_LABELS))
    comparator = _select(_l("So sánh"), _choices(COMPARATOR_LABELS, COMPARATOR_LABELS))
    threshold = _text(_l("Mức cần đạt"), 12, inputmode="numeric")
    deadline = _text(_l("Thời hạn (năm)"), 4, message=YEAR_LENGTH, inputmode="numeric")
    min_level = _select(_l("Mức độ dịch vụ phải đạt"),
                        _blank(NOT_USED) + [_option(str(lv.number), str(lv.number)) for lv in LEVELS], required=False)
    flags = MultiCheckboxField(_l("Tiêu chí phải đáp ứng (tất cả)"),
                               choices=_choices(REPORT_FLAGS, REPORT_LABELS), validate_choice=False)
    numerator_field = _select(_l("Số liệu ở tử số"), _blank(NOT_USED) + _choices(REPORT_COUNTS, REPORT_LABELS),
                              required=False)
    denominator_field = _select(_l("Số liệu ở mẫu số"), _blank(NOT_USED) + _choices(REPORT_COUNTS, REPORT_LABELS),
                                required=False)
    scope = ScopeField(_l("Phạm vi cơ quan"), validators=[Optional(), Length(max=255, message=TOO_LONG)])
    position = _text(_l("Thứ tự hiển thị"), 6, required=False, inputmode="numeric")
    active = BooleanField(_l("Đang áp dụng"), default=True)
    submit = SubmitField(_l("Lưu"))


IMPORT_KIND_LABELS = {
    "agencies": _l("Cơ quan, đơn vị"),
    "services": _l("Dịch vụ công, thủ tục hành chính"),
    "levels": _l("Mức độ trực tuyến của dịch vụ công"),
    "reports": _l("Báo cáo ứng dụng CNTT của cơ quan"),
}


class ImportForm(FlaskForm):
    kind = _select(_l("Loại dữ liệu"), _blank() + _choices(IMPORT_KIND_LABELS, IMPORT_KIND_LABELS))
    file = FileField(_l("Tệp CSV hoặc XLSX"), validators=[
        FileRequired(_l("Hãy chọn một tệp.")),
        FileAllowed(["csv", "xlsx"], _l("Chỉ nhận tệp .csv hoặc .xlsx."))],
        render_kw={"accept": ".csv,.xlsx"})
    as_verified = BooleanField(_l("Ghi nhận là đã xác minh (dữ liệu lịch sử)"))
    check = SubmitField(_l("Kiểm tra (chạy thử, không ghi)"))
    submit = SubmitField(_l("Nhập dữ liệu"))


class StashedImportForm(FlaskForm):
    """Import the file a dry run checked, kept under ``token`` (dataio/stash.py) with its kind and name."""

    token = HiddenField()
    as_verified = BooleanField(_l("Ghi nhận là đã xác minh (dữ liệu lịch sử)"))
    submit = SubmitField(_l("Nhập tệp vừa kiểm tra"))


class ButtonForm(FlaskForm):
    """A button that only carries the CSRF token (open or close a period)."""

    submit = SubmitField(_l("Xác nhận"))


def form_values(form: FlaskForm, names) -> dict:
    """The submitted values of ``names``, as the administration operations take them."""
    return {name: form[name].data for name in names}


class CloseForm(FlaskForm):
    """Closing a period, once the administrator has seen what is unfinished (rule 13)."""

    submit = SubmitField(_l("Khóa và công bố"))


class ReopenForm(FlaskForm):
    """Re-opening a closed period for a correction: the reason is published with it (rule 12)."""

    reason = _text(_l("Lý do đính chính"), 2000)
    submit = SubmitField(_l("Mở lại để đính chính"))


class _VersionForm(FlaskForm):
    """A new version of a definition from a period on (rule 11): what is left blank stays as it is."""

    effective_from = _text(_l("Áp dụng từ kỳ (năm)"), 4, message=YEAR_LENGTH, inputmode="numeric")
    title_vi = _text(_l("Tên (tiếng Việt)"), 1000, required=False)
    title_en = _text(_l("Tên (tiếng Anh)"), 1000, required=False)
    citation = _text(_l("Căn cứ (văn bản, điều khoản)"), 1000, required=False)
    deadline = _text(_l("Thời hạn (năm)"), 4, required=False, message=YEAR_LENGTH, inputmode="numeric")
    submit = SubmitField(_l("Tạo phiên bản mới"))


class TargetVersionForm(_VersionForm):
    """A new version of a target: a whole-number threshold, and the agencies in scope."""

    comparator = _select(_l("So sánh"), _blank() + _choices(COMPARATOR_LABELS, COMPARATOR_LABELS), required=False)
    threshold = _text(_l("Mức cần đạt"), 12, required=False, inputmode="numeric")
    scope = ScopeField(_l("Phạm vi cơ quan"), validators=[Optional(), Length(max=255, message=TOO_LONG)])


# A province-wide indicator may also ask for less than a figure (SPEC §3b: "dưới 2.000 người").
INDICATOR_COMPARATOR_LABELS = {"<": _l("< (dưới …)"), "<=": _l("≤ (không quá …)"), **COMPARATOR_LABELS}


class IndicatorVersionForm(_VersionForm):
    """A new version of a province-wide indicator: an exact decimal threshold ("3,5")."""

    comparator = _select(_l("So sánh"), _blank() + _choices(INDICATOR_COMPARATOR_LABELS, INDICATOR_COMPARATOR_LABELS),
                         required=False)
    threshold = _text(_l("Mức cần đạt"), 32, required=False, inputmode="decimal")
