"""The online maturity scale of a public service (Decree 64/2007/NĐ-CP).

The scale is cumulative: each level includes the evidence of the ones below.
It is defined here and only here, so that a later plan's level 4 (online
payment and delivery of the result) is one more row, not a hunt through the
code base.
"""

from typing import NamedTuple


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


def is_level(value: int) -> bool:
    return MIN_LEVEL <= value <= MAX_LEVEL


def required_evidence(level: int) -> tuple[str, ...]:
    """The evidence URL fields a service status at ``level`` must carry."""
    return tuple(f for lv in LEVELS if lv.number <= level for f in lv.new_evidence)
