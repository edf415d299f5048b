"""The registry's tables (SPEC §2), one module per domain, all importable from here.

No Flask here, and no ``from __future__ import annotations``: SQLModel reads
the annotations at class creation. Table models do not validate their input;
validation lives in the forms, the importer and the operations, and the
database's own constraints are the last line.
"""

from registry.core.vocabulary import Comparator, Formula, Kind, PeriodStatus, Role, State, Tier, Unit
from registry.models.accounts import ApiToken, LoginSession, User
from registry.models.audit import AuditEvent
from registry.models.base import BINARY_SORT, aware, utcnow
from registry.models.caching import Generation, RankingCache, TargetCache
from registry.models.catalogue import (
    POSTGRES_SEARCH_STATISTICS,
    SERVICE_SEARCH,
    SERVICE_SEARCH_TABLES,
    SERVICE_SEARCH_TRIGGERS,
    SQLITE_SEARCH_INDEX,
    Agency,
    Service,
    compared_schema_name,
    name_keys,
    name_words,
    service_search,
    service_search_rows,
)
from registry.models.imports import ImportStash
from registry.models.indicators import Indicator, IndicatorValue, IndicatorVersion
from registry.models.mail import OUTBOX_KINDS, OUTBOX_STATUSES, OutboxMessage
from registry.models.publishing import Correction, PublishedPart
from registry.models.rankings import RankingMethod
from registry.models.submissions import (
    COUNT_BOUNDS,
    REPORT_COUNTS,
    REPORT_FIELDS,
    REPORT_FLAGS,
    STATUS_FIELDS,
    AdoptionReport,
    ReportingPeriod,
    ServiceStatus,
    StatusValues,
    Submission,
    SubmissionChange,
    VerifiedCopy,
    VerifiedServiceStatus,
    default_due_date,
)
from registry.models.targets import Target, TargetVersion

__all__ = [
    "OUTBOX_KINDS", "OUTBOX_STATUSES", "OutboxMessage", "default_due_date",
    "AdoptionReport", "Agency", "ApiToken", "AuditEvent", "BINARY_SORT", "COUNT_BOUNDS", "Comparator", "Formula",
    "Indicator", "IndicatorValue", "IndicatorVersion",
    "Kind", "LoginSession", "POSTGRES_SEARCH_STATISTICS", "PeriodStatus", "REPORT_COUNTS", "REPORT_FIELDS",
    "REPORT_FLAGS", "ReportingPeriod", "Role", "SERVICE_SEARCH", "SERVICE_SEARCH_TABLES", "SERVICE_SEARCH_TRIGGERS",
    "SQLITE_SEARCH_INDEX", "STATUS_FIELDS", "Service", "ServiceStatus", "State", "StatusValues", "Submission",
    "Target", "TargetCache", "RankingCache", "Generation", "Tier", "Unit", "User", "VerifiedCopy",
    "VerifiedServiceStatus",
    "compared_schema_name", "name_keys", "name_words", "service_search", "service_search_rows", "utcnow", "aware",
    "SubmissionChange",
    "RankingMethod",
    "TargetVersion", "Correction", "PublishedPart", "ImportStash",
]

from registry.models.accounts import AttemptCounter  # noqa: E402  (issue #16: throttles)

__all__ += ["AttemptCounter"]
