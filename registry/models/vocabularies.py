"""The fixed vocabularies the tables use (SPEC §2, §3); their words are in core/vocabulary.py."""

import enum


class Tier(str, enum.Enum):
    province = "province"
    district = "district"
    commune = "commune"


class Kind(str, enum.Enum):
    department = "department"
    people_committee = "people_committee"
    political_org = "political_org"
    school = "school"  # primary and above (SPEC §2)
    preschool = "preschool"  # trường mầm non: never in schools_network_pct
    hospital = "hospital"
    health_facility = "health_facility"
    other = "other"


class Role(str, enum.Enum):
    focal = "focal"
    auditor = "auditor"
    admin = "admin"


class PeriodStatus(str, enum.Enum):
    open = "open"
    closed = "closed"
    correcting = "correcting"  # a closed period re-opened for a correction (rule 12, §8.2)


class State(str, enum.Enum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"
    verified = "verified"


class Unit(str, enum.Enum):
    percent = "percent"
    count = "count"


class Comparator(str, enum.Enum):
    at_least = ">="
    more_than = ">"


class Formula(str, enum.Enum):
    """The kinds of target an administrator can define without code."""

    service_level_share = "service_level_share"  # services at level ≥ k ÷ active services
    service_level_count = "service_level_count"  # count of services at level ≥ k
    agency_flag_share = "agency_flag_share"  # in-scope agencies with all flags ÷ in-scope agencies
    report_sum_ratio = "report_sum_ratio"  # Σ numerator field ÷ Σ denominator field over in-scope agencies


