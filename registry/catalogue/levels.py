"""The online maturity scale of a public service (Decree 64/2007/NĐ-CP).

The scale is cumulative: each level includes the evidence of the ones below.
It is defined here and only here, so that a later plan's level 4 (online
payment and delivery of the result) is one more row, not a hunt through the
code base.
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


LEVELS: tuple[Level, ...] = (
    Level(0, "Chưa cung cấp trực tuyến", "Not provided online", ()),
    Level(1, "Mức độ 1: thông tin đầy đủ về thủ tục được công bố trực tuyến",
          "Level 1: full information on the procedure is published online", ("info_url",)),
    Level(2, "Mức độ 2: tải được mẫu đơn, tờ khai",
          "Level 2: application forms can be downloaded", ("form_url",)),
    Level(3, "Mức độ 3: điền và gửi hồ sơ trực tuyến, thông báo tình trạng và kết quả trực tuyến",
          "Level 3: the application is filled in and submitted online, status and result notified online",
          ("submission_url",)),
)

MIN_LEVEL = LEVELS[0].number
MAX_LEVEL = LEVELS[-1].number

# Every evidence field any level can ask for, in the order of the scale.
EVIDENCE_FIELDS: tuple[str, ...] = tuple(f for level in LEVELS for f in level.new_evidence)


def required_evidence(level: int) -> tuple[str, ...]:
    """The evidence URL fields a service status at ``level`` must carry."""
    return tuple(f for lv in LEVELS if lv.number <= level for f in lv.new_evidence)


def title(number: int, lang: str) -> str:
    """The level's name in the page's language."""
    for level in LEVELS:
        if level.number == number:
            return level.title_en if lang == "en" else level.title_vi
    return str(number)


def parse_level(value) -> int:
    try:
        level = parse_count(value)
    except ValueError:
        level = -1
    if not MIN_LEVEL <= level <= MAX_LEVEL:
        raise ValueError(Msg(N_("mức độ phải là một trong %(levels)s"), levels=_CHOICES))
    return level


_CHOICES = ", ".join(str(lv.number) for lv in LEVELS)


def check_evidence(level: int, urls: dict) -> dict[str, str]:
    """Each level requires its evidence links (SPEC §2)."""
    return {
        field: Msg(N_("mức độ %(level)s cần minh chứng này"), level=level)
        for field in required_evidence(level)
        if not urls.get(field)
    }
