"""The synthetic registry's plan: which agencies and services it has, and each service's
levels over the periods, drawn from seeded random streams (see synth.py)."""

import random
from dataclasses import dataclass

from registry.catalogue.levels import MAX_LEVEL
from registry.sample import synth_words as words
from registry.sample.demo_data import COMMUNE_PROCEDURES, DISTRICT_PROCEDURES, PROVINCE_PROCEDURES, SECTORS

# --- agencies -----------------------------------------------------------------------

@dataclass
class _Agency:
    id: int
    code: str
    name: str
    name_en: str
    tier: str
    kind: str
    parent_id: int | None
    province: int
    catalogue: str  # which procedures it offers (see _catalogue)
    active: bool = True


@dataclass(frozen=True)
class _Place:
    name: str  # "Tuần Giáo"
    kind: str  # "huyện"
    kind_en: str  # "District"


def apportion(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders), summing to ``total``."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in by_remainder[:total - sum(counts)]:
        counts[i] += 1
    return counts


def _place_names(rng: random.Random, count: int) -> list[str]:
    """``count`` two-syllable names, all different while the syllables allow."""
    names = [f"{a} {b}" for a in words.PLACE_FIRST for b in words.PLACE_SECOND if a != b]
    rng.shuffle(names)
    return [names[i % len(names)] for i in range(count)]


def _places(rng: random.Random, count: int, types) -> list[_Place]:
    """``count`` places, each of a kind drawn with the shares of ``types``."""
    return [_Place(name, *_draw_kind(rng, types)) for name in _place_names(rng, count)]


def _draw_kind(rng: random.Random, types) -> tuple[str, str]:
    roll = rng.random()
    for kind, kind_en, share in types:
        roll -= share
        if roll < 0:
            return kind, kind_en
    return types[-1][0], types[-1][1]


def _capacity(templates, places: int) -> int | None:
    """How many agencies a template list can name over ``places`` (None: no limit)."""
    return None if "{n}" in templates[-1][1] else places * len(templates)


def _agency_counts(total: int) -> tuple[int, dict[tuple[str, str], int]]:
    """How many provinces, and how many agencies of each (tier, kind) beside their People's Committees."""
    provinces = min(total, max(1, round(total / words.AGENCIES_PER_PROVINCE)))
    counts = dict(zip([(t, k) for t, k, _ in words.AGENCY_SHARES],
                      apportion(total - provinces, [w for _, _, w in words.AGENCY_SHARES])))
    districts = max(1, counts["district", "people_committee"])
    # what a template list cannot name goes to the communes, which can always be more
    for key, templates, places in ((("province", "department"), words.DEPARTMENTS, provinces),
                                   (("province", "political_org"), words.PROVINCE_ORGS, provinces),
                                   (("province", "hospital"), words.PROVINCE_HOSPITALS, provinces),
                                   (("province", "other"), words.PROVINCE_OTHERS, provinces),
                                   (("district", "political_org"), words.DISTRICT_ORGS, districts),
                                   (("district", "hospital"), words.DISTRICT_HOSPITALS, districts),
                                   (("district", "health_facility"), words.DISTRICT_HEALTH, districts)):
        capacity = _capacity(templates, places)
        if capacity is not None and counts[key] > capacity:
            counts["commune", "people_committee"] += counts[key] - capacity
            counts[key] = capacity
    communes = max(1, counts["commune", "people_committee"])
    overflow = counts["commune", "health_facility"] - _capacity(words.COMMUNE_HEALTH, communes)
    if overflow > 0:
        counts["commune", "health_facility"] -= overflow
        counts["commune", "school"] += overflow
    return provinces, counts


def _fill(template, index: int, places: int, **words) -> tuple[str, str, str]:
    """The (code suffix, name, English name) of the ``index``-th agency of a template list."""
    templates = template if isinstance(template[0], tuple) else (template,)
    slot = index // places
    if slot < len(templates) - ("{n}" in templates[-1][1]):
        key, vi, en = templates[slot]
        number = None
    else:
        key, vi, en = templates[-1]
        number = slot - len(templates) + 2
    words["n"] = number
    return (f"{key}-{number}" if number else key), vi.format(**words), en.format(**words)


def _plan_agencies(total: int, rng: random.Random) -> list[_Agency]:
    """The agencies, parents before children, with their ids."""
    provinces, counts = _agency_counts(total)
    district_count = max(1, counts["district", "people_committee"])
    commune_count = max(1, counts["commune", "people_committee"])
    province_names = _place_names(rng, provinces)
    districts = _places(rng, district_count, words.DISTRICT_TYPES)
    communes = _places(rng, commune_count, words.COMMUNE_TYPES)
    district_province = [d % provinces for d in range(district_count)]
    commune_district = [c % district_count for c in range(commune_count)]

    agencies: list[_Agency] = []
    by_key: dict[tuple, int] = {}  # (level, place, key) → agency id, for the parents

    def add(code, name, name_en, tier, kind, parent, province, catalogue, key=None):
        agency = _Agency(len(agencies) + 1, code, name, name_en, tier, kind, parent, province, catalogue)
        agencies.append(agency)
        if key is not None:
            by_key[key] = agency.id
        return agency

    def province_words(p):
        return {"p": province_names[p]}

    def district_words(d):
        place = districts[d]
        party, youth = words.DISTRICT_PARTY[place.kind]
        return {"d": f"{place.kind} {place.name}", "dn": place.name, "dt": place.kind_en, "party": party,
                "youth": youth}

    def commune_words(c):
        place = communes[c]
        return {"c": f"{place.kind} {place.name}", "cn": place.name, "ct": place.kind_en}

    def code_of(*parts):
        return "-".join(parts)

    # province level
    for p in range(provinces):
        key, name, name_en = _fill(words.PROVINCE_PC, p, provinces, **province_words(p))
        add(code_of(f"t{p + 1:02d}", key), name, name_en, "province", "people_committee", None, p,
            "province_pc", ("province", p, "ubnd"))
    for kind, templates, catalogue in (("department", words.DEPARTMENTS, "department"),
                                       ("political_org", words.PROVINCE_ORGS, "political_org"),
                                       ("hospital", words.PROVINCE_HOSPITALS, "hospital"),
                                       ("school", words.PROVINCE_SCHOOLS, "school"),
                                       ("other", words.PROVINCE_OTHERS, "other")):
        for i in range(counts["province", kind]):
            p = i % provinces
            key, name, name_en = _fill(templates, i, provinces, **province_words(p))
            pc = by_key["province", p, "ubnd"]
            parent = {"department": pc, "political_org": None,
                      "hospital": by_key.get(("province", p, words.HEALTH_DEPARTMENT), pc),
                      "school": by_key.get(("province", p, words.EDUCATION_DEPARTMENT), pc),
                      "other": pc}[kind]
            add(code_of(f"t{p + 1:02d}", key), name, name_en, "province", kind, parent, p,
                f"department:{key}" if kind == "department" else catalogue, ("province", p, key))

    # district level
    def district_code(d, key):
        return code_of(f"t{district_province[d] + 1:02d}", f"h{d // provinces + 1:02d}", key)

    for d in range(counts["district", "people_committee"]):
        p = district_province[d]
        key, name, name_en = _fill(words.DISTRICT_PC, d, district_count, **district_words(d))
        add(district_code(d, key), name, name_en, "district", "people_committee", by_key["province", p, "ubnd"], p,
            "district_pc", ("district", d, "ubnd"))
    for kind, templates in (("political_org", words.DISTRICT_ORGS), ("hospital", words.DISTRICT_HOSPITALS),
                            ("health_facility", words.DISTRICT_HEALTH), ("school", words.DISTRICT_SCHOOLS)):
        for i in range(counts["district", kind]):
            d = i % district_count
            p = district_province[d]
            key, name, name_en = _fill(templates, i, district_count, **district_words(d))
            province_pc = by_key["province", p, "ubnd"]
            district_pc = by_key.get(("district", d, "ubnd"), province_pc)
            parent = {"political_org": by_key.get(("province", p, words.ORG_PARENTS.get(key, key))),
                      "hospital": by_key.get(("province", p, words.HEALTH_DEPARTMENT), province_pc),
                      "health_facility": by_key.get(("province", p, words.HEALTH_DEPARTMENT), province_pc),
                      "school": district_pc}[kind]
            add(district_code(d, key), name, name_en, "district", kind, parent, p, kind, ("district", d, key))

    # commune level
    def commune_code(c, key):
        d = commune_district[c]
        return code_of(district_code(d, f"x{c // district_count + 1:03d}"), key)

    for c in range(counts["commune", "people_committee"]):
        d = commune_district[c]
        p = district_province[d]
        key, name, name_en = _fill(words.COMMUNE_PC, c, commune_count, **commune_words(c))
        parent = by_key.get(("district", d, "ubnd"), by_key["province", p, "ubnd"])
        add(commune_code(c, key), name, name_en, "commune", "people_committee", parent, p, "commune_pc")
    for kind, templates in (("health_facility", words.COMMUNE_HEALTH), ("school", words.COMMUNE_SCHOOLS)):
        for i in range(counts["commune", kind]):
            c = i % commune_count
            d = commune_district[c]
            p = district_province[d]
            key, name, name_en = _fill(templates, i, commune_count, **commune_words(c))
            province_pc = by_key["province", p, "ubnd"]
            district_pc = by_key.get(("district", d, "ubnd"), province_pc)
            parent = by_key.get(("district", d, "ttyt"), district_pc) if kind == "health_facility" else district_pc
            add(commune_code(c, key), name, name_en, "commune", kind, parent, p, kind)

    for agency in agencies:
        if agency.tier == "commune" and rng.random() < words.INACTIVE_COMMUNE_SHARE:
            agency.active = False
    return agencies


# --- services -------------------------------------------------------------------------

@dataclass(frozen=True)
class _Procedure:
    name: str
    name_en: str
    sector: str  # the sector's Vietnamese name, as stored


SECTOR_NAMES = {code: name for code, name, _en in SECTORS}


def _compose(sector: str, obj: str, obj_en: str, verbs: str, tier: str | None) -> list[_Procedure]:
    """Every name a (sector, object) gives: each verb, alone, for each audience, at the level ``tier``."""
    if verbs == "_":
        bases = [(obj, obj_en)]
    else:
        bases = [(words.VERBS[v][0].format(obj), words.VERBS[v][1].format(obj_en)) for v in verbs if v in words.VERBS]
    qualifiers = ([("", "")] + (list(words.AUDIENCES) if "+" in verbs else [])
                  + ([words.TIER_WORDS[tier]] if tier else []))
    sector_name = SECTOR_NAMES[sector]
    return [_Procedure(f"{vi} {q}".strip(), f"{en} {q_en}".strip(), sector_name)
            for vi, en in bases for q, q_en in qualifiers]


def _real(procedures) -> list[_Procedure]:
    return [_Procedure(name, name_en, SECTOR_NAMES[sector]) for name, name_en, sector in procedures]


def _catalogue(key: str, tier: str, cache: dict) -> tuple[list[_Procedure], list[_Procedure]]:
    """(real procedures, composed procedures) that an agency of this catalogue key offers."""
    cached = cache.get((key, tier))
    if cached is not None:
        return cached
    if key.startswith("department:"):
        real = _real(PROVINCE_PROCEDURES.get(key.partition(":")[2], ()))
        sectors = sorted({p[2] for p in PROVINCE_PROCEDURES.get(key.partition(":")[2], ())})
    elif key == "province_pc":
        real, sectors = [], list(words.PROVINCE_PC_SECTORS)
    elif key == "district_pc":
        real = _real(DISTRICT_PROCEDURES)
        sectors = sorted({p[2] for p in DISTRICT_PROCEDURES} | set(words.DISTRICT_PC_SECTORS))
    elif key == "commune_pc":
        real = _real(COMMUNE_PROCEDURES)
        sectors = sorted({p[2] for p in COMMUNE_PROCEDURES} | set(words.COMMUNE_PC_SECTORS))
    else:
        real, sectors = [], []
    composed = [p for s in sectors for obj in words.SECTOR_OBJECTS.get(s, ()) for p in _compose(s, *obj, tier)]
    composed += [p for s, *obj in words.FACILITY_OBJECTS.get(key, ()) for p in _compose(s, *obj, None)]
    cache[key, tier] = (real, composed)
    return real, composed


def _service_weight(agency: _Agency) -> float:
    weight = words.SERVICE_WEIGHTS.get((agency.tier, agency.kind), words.SERVICE_WEIGHTS.get(agency.kind, 1))
    if agency.kind == "department":
        real = len(PROVINCE_PROCEDURES.get(agency.catalogue.partition(":")[2], ()))
        average = sum(map(len, PROVINCE_PROCEDURES.values())) / len(PROVINCE_PROCEDURES)
        weight *= max(real, 1) / average
    return weight


def _choose_procedures(rng: random.Random, wanted: int, real, composed) -> list[_Procedure]:
    """``wanted`` procedures for one agency: most of its real ones first, then composed
    ones, all different while the catalogue lasts."""
    if wanted == 0:
        return []
    chosen = [p for p in rng.sample(real, len(real)) if rng.random() < words.REAL_NAME_SHARE][:wanted]
    pool = composed or real  # every catalogue has one or the other
    chosen += rng.sample(pool, min(wanted - len(chosen), len(pool)))
    return chosen + rng.choices(pool, k=wanted - len(chosen))


@dataclass
class _Service:
    id: int
    code: str
    procedure: _Procedure
    agency_id: int
    active: bool


def _plan_services(total: int, agencies: list[_Agency], rng: random.Random) -> list[_Service]:
    """The services, grouped by agency in id order (so that an agency's services are a range of ids)."""
    weights = [_service_weight(a) * rng.uniform(0.5, 1.5) for a in agencies]
    cache: dict = {}
    services: list[_Service] = []
    for agency, quota in zip(agencies, apportion(total, weights)):
        real, composed = _catalogue(agency.catalogue, agency.tier, cache)
        for procedure in _choose_procedures(rng, quota, real, composed):
            service_id = len(services) + 1
            services.append(_Service(service_id, f"{words.TIER_DIGIT[agency.tier]}.{service_id:06d}", procedure,
                                     agency.id, rng.random() >= words.INACTIVE_SERVICE_SHARE))
    return services


def _level_history(rng: random.Random, pace: float, years: list[int]) -> bytes:
    """One service's level in each year: it climbs at most one level a year and never falls."""
    level = 1 if rng.random() < words.LEVEL_AT_START * pace else 0
    history = bytearray()
    for year in years:
        roll = rng.random()
        if level < MAX_LEVEL:
            chance = words.LEVEL_CLIMB.get(level, words.HIGH_LEVEL_CLIMB[year >= words.HIGH_LEVEL_PUSH_YEAR])
            if roll < chance * pace:
                level += 1
        history.append(level)
    return bytes(history)


