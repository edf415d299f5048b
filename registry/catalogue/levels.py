"""The online maturity scales of a public service (SPEC §2).

A scale is cumulative: each level includes the evidence of the ones below.
Scales are defined here and only here, and each reporting period names the
scale its levels are read on (``ReportingPeriod.level_scale``), so that a later
plan's scale (Decree 42/2022: "một phần" / "toàn trình") is one more entry of
``SCALES`` and a period that uses it, without touching the periods and targets
of Decision 1529.

The scale of Decision 1529 is Decree 64/2007/NĐ-CP's levels as Circular
26/2009/TT-BTTTT and Decree 43/2011/NĐ-CP define them, levels 0 to 4. A
target "ở mức độ k" counts every level ≥ k, so level 4 counts in the targets
at level 1, 2 and 3.
"""

from typing import NamedTuple

from registry.core.errors import N_, Msg
from registry.core.validation import parse_count


class Level(NamedTuple):
    number: int
    title_vi: str
    title_en: str
    # The evidence URL fields a status at this level must carry, beyond those
    # of the levels below.
    new_evidence: tuple[str, ...]


class Scale(NamedTuple):
    code: str
    title_vi: str
    title_en: str
    levels: tuple[Level, ...]

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(level.number for level in self.levels)


DECREE_64_SCALE = Scale(
    "nd64-tt26", "Mức độ dịch vụ công trực tuyến theo Nghị định 64/2007 và Thông tư 26/2009",
    "Online service levels of Decree 64/2007 and Circular 26/2009",
    (
        Level(0, "Chưa cung cấp trực tuyến", "Not provided online", ()),
        Level(1, "Mức độ 1: thông tin đầy đủ về thủ tục được công bố trực tuyến",
              "Level 1: full information on the procedure is published online", ("info_url",)),
        Level(2, "Mức độ 2: tải được mẫu đơn, tờ khai",
              "Level 2: application forms can be downloaded", ("form_url",)),
        Level(3, "Mức độ 3: điền và gửi hồ sơ trực tuyến, thông báo tình trạng và kết quả trực tuyến",
              "Level 3: the application is filled in and submitted online, status and result notified online",
              ("submission_url",)),
        Level(4, "Mức độ 4: thanh toán lệ phí trực tuyến, trả kết quả trực tuyến hoặc qua bưu chính",
              "Level 4: fees are paid online, the result is delivered online or by post",
              ("payment_url",)),
    ),
)

# Every scale a period may use, by code; the first is the default of a new period.
SCALES: dict[str, Scale] = {DECREE_64_SCALE.code: DECREE_64_SCALE}
DEFAULT_SCALE = DECREE_64_SCALE.code

# The default scale's levels (the pages and exports of Decision 1529's periods).
LEVELS: tuple[Level, ...] = DECREE_64_SCALE.levels

# The range every scale's levels lie in: what the tables accept.
MIN_LEVEL = min(n for scale in SCALES.values() for n in scale.numbers)
MAX_LEVEL = max(n for scale in SCALES.values() for n in scale.numbers)

# Every evidence field any level of any scale can ask for, in the order of the scales.
EVIDENCE_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(
    f for scale in SCALES.values() for level in scale.levels for f in level.new_evidence))


def scale_of(code: str | None) -> Scale:
    """The scale named ``code`` (a period's ``level_scale``); the default when unnamed."""
    return SCALES.get(code or DEFAULT_SCALE, SCALES[DEFAULT_SCALE])


def required_evidence(level: int, scale: str | None = None) -> tuple[str, ...]:
    """The evidence URL fields a service status at ``level`` must carry."""
    return tuple(f for lv in scale_of(scale).levels if lv.number <= level for f in lv.new_evidence)


def title(number: int, lang: str, scale: str | None = None) -> str:
    """The level's name in the page's language."""
    for level in scale_of(scale).levels:
        if level.number == number:
            return level.title_en if lang == "en" else level.title_vi
    return str(number)


def parse_level(value, scale: str | None = None) -> int:
    """A level of the scale (the default one when not named) from text or a number."""
    numbers = scale_of(scale).numbers
    try:
        level = parse_count(value)
    except ValueError:
        level = -1
    if level not in numbers:
        raise ValueError(Msg(N_("mức độ phải là một trong %(levels)s"),
                             levels=", ".join(str(n) for n in numbers)))
    return level


def check_evidence(level: int, urls: dict, scale: str | None = None) -> dict[str, str]:
    """Each level requires its evidence links (SPEC §2)."""
    return {
        field: Msg(N_("mức độ %(level)s cần minh chứng này"), level=level)
        for field in required_evidence(level, scale)
        if not urls.get(field)
    }
