"""A district at a glance (issue #14.5): its people's committee, its communes, schools,
health facilities and every other agency on its territory together, and the district's own
figure for each target, summed over them as the province's figure sums over every agency
(offerings for a service target, §8.6). No Flask here."""

from dataclasses import dataclass

from registry.models import Kind, Target, Unit
from registry.rankings.figures import AgencyFigures
from registry.rankings.ranking import Entry, Ranking
from registry.rankings.scorecard import Contribution
from registry.targets.results import is_met

# the order the district's agencies are listed in: its administration first, then its services
KIND_ORDER = (Kind.people_committee.value, Kind.political_org.value, Kind.department.value, Kind.school.value,
              Kind.preschool.value, Kind.health_facility.value, Kind.hospital.value, Kind.other.value)
TIERS = ("district", "commune")


@dataclass(frozen=True)
class DistrictTarget:
    """The district's figure for a target: its agencies' numerators and denominators summed,
    judged against the province's threshold (not for a count, which is the province's)."""

    contribution: Contribution

    @property
    def meets(self) -> bool | None:
        c, target = self.contribution, self.contribution.target
        if not c.denominator or target.unit == Unit.count.value:
            return None
        return is_met(target, c.numerator, c.denominator)


@dataclass(frozen=True)
class District:
    agency: AgencyFigures  # the district's people's committee
    members: list[Entry]  # every agency of the district, its people's committee first
    targets: list[DistrictTarget]

    def by_kind(self) -> list[tuple[str, list[Entry]]]:
        """The members by kind, in KIND_ORDER (the people's committees: the district's, then the communes')."""
        kinds: dict[str, list[Entry]] = {}
        for entry in self.members:
            kinds.setdefault(entry.card.agency.kind, []).append(entry)
        return [(kind, kinds[kind]) for kind in sorted(kinds, key=_kind_position)]


def _kind_position(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def is_district(agency: AgencyFigures) -> bool:
    return agency.tier == "district" and agency.kind == Kind.people_committee.value


def district(found: Ranking, agency: AgencyFigures, targets: list[Target]) -> District | None:
    """The district whose people's committee is ``agency``, in the ranking's period; None for
    any other agency."""
    if not is_district(agency):
        return None
    members = [e for e in found.entries if e.card.agency.district_id == agency.id]

    def order(entry: Entry):
        a = entry.card.agency
        tier = TIERS.index(a.tier) if a.tier in TIERS else len(TIERS)
        return (a.id != agency.id, _kind_position(a.kind), tier, a.name_sort, a.code)

    members.sort(key=order)
    if not members:  # not valid in the period: nothing of its own to show
        return District(agency, [], [])
    parts = found.contributions(targets, *(e.card.agency for e in members))
    return District(agency, members, [DistrictTarget(c) for c in parts if c.in_scope])
