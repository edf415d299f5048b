"""The OpenAPI 3.0.3 document of /api/v1, built in Python and served at /api/v1/openapi.json.

The schemas are strict (required keys, ``additionalProperties: false``) so that
a test can check every answer against them: a field added to an answer must be
added here too. tests/test_public_api.py checks that every /api/v1 route of the
app is described.
"""

from copy import deepcopy

from flask import jsonify

from registry.api import bp
from registry.catalogue.levels import MAX_LEVEL, MIN_LEVEL
from registry.catalogue.parameters import MAX_LIMIT, MAX_TEXT, PAGE_SIZE
from registry.models import REPORT_COUNTS, REPORT_FIELDS, REPORT_FLAGS, Kind, PeriodStatus, State, Tier
from registry.targets.basis import BASES

API_VERSION = "1.0.0"
PREFIX = "/api/v1"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict, required=None, description: str | None = None) -> dict:
    schema = {"type": "object", "properties": properties,
              "required": list(properties) if required is None else list(required),
              "additionalProperties": False}
    if description:
        schema["description"] = description
    return schema


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
LEVEL = {"type": "integer", "minimum": MIN_LEVEL, "maximum": MAX_LEVEL,
         "description": "Online level (Decree 64/2007/NĐ-CP, Circular 26/2009/TT-BTTTT): 0 not online … "
                        "3 submitted online, 4 paid online and the result delivered online or by post."}
URL = _nullable({"type": "string", "description": "An http:// or https:// address."})


def _report_schema() -> dict:
    properties = {}
    for name in REPORT_FIELDS:
        if name in REPORT_FLAGS:
            properties[name] = _nullable({"type": "boolean"})
        else:
            assert name in REPORT_COUNTS
            properties[name] = _nullable({"type": "integer", "minimum": 0})
    return _object(properties, description="The adoption report (SPEC §2); null is an unknown figure.")


SCHEMAS = {
    "Error": _object({"error": _object({
        "code": STRING,
        "message": {"type": "string", "description": "In the language of the request."},
        "fields": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "A message per field at fault; empty when none."},
        "conflicts": {"type": "array", "description": "A save's fields both editors changed to different "
                      "values since the version read (`report.FIELD`, `services.CODE.FIELD`): the value at that "
                      "version, the stored one and the one sent. Only on a 409 of a save.",
                      "items": _object({"field": STRING, "base": {}, "theirs": {}, "yours": {}})},
        "version": {"type": "integer", "description": "The version now stored, with `conflicts`."},
    }, required=["code", "message", "fields"])}),
    "Period": _object({"year": INTEGER, "status": {"type": "string", "enum": [s.value for s in PeriodStatus]}}),
    "PeriodList": _object({"periods": {"type": "array", "items": _ref("Period")}}),
    "TargetResult": _object({
        "code": STRING,
        "title": {"type": "string", "description": "Vietnamese, or English by Accept-Language."},
        "citation": STRING,
        "unit": {"type": "string", "enum": ["percent", "count"]},
        "comparator": {"type": "string", "enum": [">=", ">"]},
        "threshold": INTEGER,
        "deadline": INTEGER,
        "numerator": INTEGER,
        "denominator": INTEGER,
        "value": _nullable({"type": "number", "description": "Percent with one decimal, or the count; "
                                                             "null when the denominator is zero."}),
        "met": _nullable({"type": "boolean", "description": "Decided on the exact integers; null whenever the "
                                                               "status is neither met nor not_met."}),
        "coverage": _object({"covered": INTEGER, "total": INTEGER}),
        "counting_unit": {"type": "string", "enum": ["procedure"],
                          "description": "Service targets only: numerator and denominator count procedures."},
        "offerings": {**_object({
            "numerator": INTEGER, "denominator": INTEGER,
            "value": _nullable({"type": "number"}),
            "coverage": _object({"covered": INTEGER, "total": INTEGER}),
        }), "description": "Service targets only: the same figures over services (offerings)."},
        "status": {"type": "string", "enum": ["met", "not_met", "insufficient_data", "no_data"],
                   "description": "insufficient_data: a provisional result whose coverage is incomplete."},
        "provisional": {"type": "boolean", "description": "The period is not closed: figures so far."},
        "version": _object({"number": INTEGER, "effective_from": _nullable(INTEGER)},
                           description="The target's version the period is judged by."),
    }, required=["code", "title", "citation", "unit", "comparator", "threshold", "deadline", "numerator",
                 "denominator", "value", "met", "coverage", "status", "provisional", "version"]),
    "Correction": _object({
        "date": {"type": "string", "format": "date"},
        "reason": STRING,
        "changes": {"type": "array", "items": _object({
            "kind": {"type": "string", "enum": ["target", "agency", "service", "indicator", "rank"]},
            "code": STRING, "field": STRING, "before": {}, "after": {}})},
    }),
    "TargetList": _object({
        "period": INTEGER,
        "basis": {"type": "string", "enum": list(BASES)},
        "targets": {"type": "array", "items": _ref("TargetResult")},
        "corrections": {"type": "array", "items": _ref("Correction"),
                        "description": "Corrections of the period's published figures, oldest first."},
    }),
    "IndicatorResult": _object({
        "code": STRING,
        "title": {"type": "string", "description": "Vietnamese, or English by Accept-Language."},
        "citation": STRING,
        "unit": {"type": "string", "enum": ["percent", "count", "people_per_point", "km"]},
        "comparator": {"type": "string", "enum": ["<", "<=", ">", ">="]},
        "threshold": {"type": "string", "description": "An exact decimal, as a string (\"3.5\")."},
        "deadline": INTEGER,
        "value": _nullable({"type": "string", "description": "The verified value as an exact decimal string; "
                                                             "a percentage given as a ratio is rounded to one "
                                                             "decimal (judged on the exact ratio)."}),
        "numerator": _nullable(INTEGER),
        "denominator": _nullable(INTEGER),
        "met": _nullable({"type": "boolean", "description": "null unless status is met or not_met."}),
        "status": {"type": "string", "enum": ["met", "not_met", "insufficient_data", "no_data"]},
        "provisional": {"type": "boolean", "description": "true while the period is not closed."},
        "source": _nullable(STRING),
        "evidence_url": URL,
        "version": _object({"number": INTEGER, "effective_from": _nullable(INTEGER)},
                           description="The indicator's version the period is judged by."),
    }),
    "IndicatorList": _object({
        "period": INTEGER,
        "status": {"type": "string", "enum": [s.value for s in PeriodStatus]},
        "indicators": {"type": "array", "items": _ref("IndicatorResult")},
    }),
    "AdoptionReport": _report_schema(),
    "Agency": _object({
        "code": STRING,
        "name": {"type": "string", "description": "In the language of the request when an English name exists."},
        "name_en": _nullable(STRING),
        "tier": {"type": "string", "enum": [t.value for t in Tier]},
        "kind": {"type": "string", "enum": [k.value for k in Kind]},
        "parent_code": _nullable(STRING),
    }),
    "AgencyList": _object({
        "agencies": {"type": "array", "items": _ref("Agency")},
        "total": {"type": "integer", "description": "How many agencies match the filters, on every page."},
        "next": _nullable({"type": "string", "description": "Pass as `after` for the next page; null on the last."}),
    }),
    "AgencyDetail": _object({
        "code": STRING,
        "name": STRING,
        "name_en": _nullable(STRING),
        "tier": {"type": "string", "enum": [t.value for t in Tier]},
        "kind": {"type": "string", "enum": [k.value for k in Kind]},
        "parent_code": _nullable(STRING),
        "reports": {"type": "array", "description": "The last verified report of each period that has one, "
                                                    "oldest first.",
                    "items": _object({"period": INTEGER, "report": _ref("AdoptionReport")})},
    }),
    "Service": _object({
        "code": STRING,
        "name": {"type": "string", "description": "In the language of the request when an English name exists."},
        "name_en": _nullable(STRING),
        "agency": {"type": "string", "description": "The owning agency's code."},
        "sector": STRING,
        "period": _nullable(INTEGER),
        "level": {**_nullable(LEVEL), "description": "The verified level; null when there is no verified data "
                                                      "(never 0, SPEC rule 3)."},
        "verified": {"type": "boolean", "description": "The agency has a verified report for the period; when "
                                                       "false the level is null (no verified data)."},
        "info_url": URL,
        "form_url": URL,
        "submission_url": URL,
        "payment_url": URL,
        "procedure_code": {"type": "string", "description": "The national procedure this service is an "
                                                            "offering of (its own code when none is named)."},
    }),
    "ServiceList": _object({
        "period": _nullable({"type": "integer", "description": "null only while no period exists."}),
        "services": {"type": "array", "items": _ref("Service")},
        "total": INTEGER,
        "next": _nullable({"type": "string", "description": "Pass as `after` for the next page; null on the last."}),
    }),
    "ServiceStatus": _object({
        "code": STRING, "level": LEVEL, "info_url": URL, "form_url": URL, "submission_url": URL,
        "payment_url": URL, "note": _nullable(STRING),
    }),
    "Submission": _object({
        "agency": STRING,
        "period": INTEGER,
        "state": {"type": "string", "enum": [s.value for s in State]},
        "version": {"type": "integer", "minimum": 0, "description": "Send it back with the next write."},
        "report": _ref("AdoptionReport"),
        "services": {"type": "array", "items": _ref("ServiceStatus")},
    }),
    "SubmissionEdit": {
        "type": "object",
        "required": ["version"],
        "properties": {
            "version": {"type": "integer", "minimum": 0, "description": "The version the entries were read at."},
            "report": {"type": "object", "description": "Any subset of the adoption report fields."},
            "services": {"type": "array", "items": {
                "type": "object", "required": ["code"],
                "properties": {"code": STRING, "level": LEVEL, "info_url": URL, "form_url": URL,
                               "submission_url": URL, "payment_url": URL, "note": _nullable(STRING)}}},
            "agency": {"type": "string", "description": "Ignored (read-only)."},
            "period": {"type": "integer", "description": "Ignored (read-only)."},
            "state": {"type": "string", "description": "Ignored (read-only)."},
        },
        "additionalProperties": False,
    },
    "VersionBody": {"type": "object", "properties": {"version": {"type": "integer", "minimum": 0}}},
    "CommentBody": {"type": "object", "properties": {"version": {"type": "integer", "minimum": 0},
                                                     "comment": {"type": "string", "maxLength": 2000}}},
    "ReasonBody": {"type": "object", "properties": {"version": {"type": "integer", "minimum": 0},
                                                    "reason": {"type": "string", "maxLength": 2000}}},
}


# --- the ranking (SPEC §3c) -------------------------------------------------------------

NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
EXACT = _nullable({"type": "string", "description": "The exact score as a fraction (\"311/2\") or integer."})
_TITLED = _object({"code": STRING, "title": STRING})
RANKING_METHOD = _object({
    "effective_from": _nullable({"type": "integer", "description": "null: the method the registry ships."}),
    "maximum": INTEGER,
    "sections": {"type": "array", "items": _object({"code": STRING, "title": STRING, "maximum": INTEGER})},
    "criteria": {"type": "array", "items": _object({
        "code": STRING, "section": STRING, "kind": {"type": "string", "enum": ["flag", "ratio", "services"]},
        "title": STRING, "points": INTEGER, "field": _nullable(STRING), "numerator": _nullable(STRING),
        "denominator": _nullable(STRING), "min_level": _nullable(INTEGER)})},
    "bands": {"type": "array", "items": _object({"code": STRING, "title": STRING, "minimum": INTEGER})},
    "groups": {"type": "array", "items": _object({"code": STRING, "title": STRING, "scope": STRING})},
}, description="The method: points = ratio × maximum; grades from the exact score.")
SCORECARD = _object({
    "period": INTEGER, "code": STRING, "name": STRING, "assessed": BOOLEAN,
    "score": _nullable(NUMBER), "score_exact": EXACT, "maximum": INTEGER,
    "grade": _nullable(_TITLED),
    "sections": {"type": "array", "items": _object({"code": STRING, "title": STRING, "maximum": INTEGER,
                                                    "points": _nullable(NUMBER)})},
    "criteria": {"type": "array", "items": _object({
        "code": STRING, "section": STRING, "title": STRING, "numerator": _nullable(INTEGER),
        "denominator": _nullable(INTEGER),
        "ratio": _nullable({"type": "number", "description": "Percent, one decimal."}),
        "points": NUMBER, "points_exact": STRING, "maximum": INTEGER,
        "flag": _nullable({"type": "string", "enum": ["zero_denominator", "unknown"],
                           "description": "Why the criterion scores 0 whatever the agency did."})})},
    "services": _object({"total": INTEGER,
                         "by_level": {"type": "object", "additionalProperties": INTEGER},
                         "at_least": {"type": "object", "additionalProperties": INTEGER}}),
}, description="Without a verified report: not assessed, no score (never 0), no criteria.")
_ENTRY = {
    "code": STRING, "name": STRING, "tier": {"type": "string", "enum": [t.value for t in Tier]},
    "kind": {"type": "string", "enum": [k.value for k in Kind]}, "group": _nullable(STRING),
    "assessed": BOOLEAN, "rank": _nullable(INTEGER), "score": _nullable(NUMBER), "score_exact": EXACT,
    "grade": _nullable(STRING), "previous_rank": _nullable(INTEGER), "previous_score": _nullable(NUMBER),
    "change": _nullable(NUMBER),
    "movement": _nullable({"type": "integer", "description": "Places gained since the previous period."}),
}
SCHEMAS.update({
    "RankingEntry": _object({**_ENTRY, "scorecard": SCORECARD}, required=list(_ENTRY)),
    "Ranking": _object({
        "period": _nullable(INTEGER), "provisional": _nullable(BOOLEAN), "previous_period": _nullable(INTEGER),
        "method": _nullable(RANKING_METHOD),
        "groups": {"type": "array", "items": _object({"code": STRING, "title": STRING, "agencies": {
            "type": "array", "items": _ref("RankingEntry")}})},
        "unranked": {"type": "array", "items": _ref("RankingEntry")},
    }),
})
SCHEMAS["AgencyDetail"]["properties"]["scorecard"] = _nullable(_object({
    **_ENTRY, "period": INTEGER, "provisional": BOOLEAN, "previous_period": _nullable(INTEGER),
    "scorecard": SCORECARD,
    "contributions": {"type": "array", "items": _object({
        "code": STRING, "title": STRING, "in_scope": BOOLEAN, "numerator": INTEGER, "denominator": INTEGER,
        "value": _nullable(NUMBER), "missing": INTEGER, "province_numerator": INTEGER,
        "province_denominator": INTEGER, "province_missing": INTEGER})},
}, description="The agency's scorecard, rank and contribution to each target for the period."))
SCHEMAS["AgencyDetail"]["required"].append("scorecard")

ERROR_TEXT = {
    400: "Bad request (for example a missing CSRF token on a cookie-authenticated write).",
    401: "Not signed in: send a personal API token or a session cookie.",
    403: "Signed in, but not allowed; nothing changed.",
    404: "No such agency, period, submission or path.",
    409: "The entries changed since they were read in a way the request cannot merge (see `conflicts`), "
         "or the transition is not allowed now.",
    422: "A parameter or the body is invalid; `fields` says which.",
    429: "Too many refused requests from this address in the last minute (an unauthenticated flood); "
         "try again in a minute.",
}


def _errors(*statuses: int) -> dict:
    return {str(s): {"$ref": f"#/components/responses/Error{s}"} for s in statuses}


def _ok(schema_name: str, description: str) -> dict:
    return {"200": {"description": description, "content": {"application/json": {"schema": _ref(schema_name)}}}}


def _query(name: str, schema: dict, description: str, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


def _path(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


ACCEPT_LANGUAGE = {"name": "Accept-Language", "in": "header", "required": False,
                   "schema": {"type": "string"},
                   "description": "Language of titles, names and error messages, as browsers send it "
                                  "(`en`, `vi;q=0.8, en`): English where `en` is preferred, "
                                  "Vietnamese otherwise."}
PERIOD_QUERY = _query("period", {"type": "integer", "minimum": 2000, "maximum": 2100},
                      "Reporting period (a year).")
PAGING = [
    _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": PAGE_SIZE},
           "Rows per page."),
    _query("after", {"type": "string"}, "The `next` cursor of the previous page."),
]
SEARCH = _query("q", {"type": "string", "maxLength": MAX_TEXT},
                "Words that must each begin a word of the code or the (Vietnamese or English) name "
                "(words are separated by spaces; punctuation belongs to the word); diacritics and case "
                "are ignored. Longer text is refused (422).")
CODE = _path("code", {"type": "string"}, "Agency code, e.g. `so-tttt`.")
YEAR = _path("year", {"type": "integer", "minimum": 0}, "Reporting period (a year).")
IF_NONE_MATCH = {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
                 "description": "The `ETag` of an earlier answer: 304 while the verified figures behind it "
                                "have not changed."}
NOT_MODIFIED = {"304": {"description": "Not modified: the answer named by If-None-Match is still current. "
                                       "Answers to clients without a token carry a weak `ETag`."}}
PUBLIC: list = []  # no authentication
WRITERS = [{"bearerAuth": []}, {"cookieAuth": []}]


def _submission_action(summary: str, body: str, who: str) -> dict:
    return {
        "tags": ["submissions"],
        "summary": summary,
        "description": who,
        "security": WRITERS,
        "parameters": [CODE, YEAR, ACCEPT_LANGUAGE],
        "requestBody": {"required": False, "content": {"application/json": {"schema": _ref(body)}}},
        "responses": {**_ok("Submission", "The submission after the transition."),
                      **_errors(400, 401, 403, 404, 409, 422, 429)},
    }


def build_document() -> dict:
    paths = {
        "/periods": {"get": {
            "tags": ["public"], "summary": "Reporting periods", "operationId": "listPeriods", "security": PUBLIC,
            "responses": _ok("PeriodList", "Every period, oldest first."),
        }},
        "/targets": {"get": {
            "tags": ["public"], "summary": "Attainment of every target for a period", "operationId": "listTargets",
            "security": PUBLIC,
            "parameters": [{**PERIOD_QUERY, "required": True},
                           _query("basis", {"type": "string", "enum": list(BASES), "default": "verified"},
                                  "`verified` (last verified copies) or `reported` (submitted figures)."),
                           ACCEPT_LANGUAGE],
            "responses": {**_ok("TargetList", "The targets, in their order."), **_errors(404, 422)},
        }},
        "/indicators": {"get": {
            "tags": ["public"], "summary": "Province-wide indicators for a period (SPEC §3b)",
            "operationId": "listIndicators", "security": PUBLIC,
            "description": "Verified values only; without one, `insufficient_data` in an open period and "
                           "`no_data` in a closed one.",
            "parameters": [{**PERIOD_QUERY, "description": "Reporting period (default: the latest with verified "
                                                           "data)."}, ACCEPT_LANGUAGE, IF_NONE_MATCH],
            "responses": {**_ok("IndicatorList", "Every indicator, in its order."), **NOT_MODIFIED,
                          **_errors(404, 422)},
        }},
        "/agencies": {"get": {
            "tags": ["public"], "summary": "Active agencies", "operationId": "listAgencies", "security": PUBLIC,
            "description": "Ordered by tier (province, district, commune), then by Vietnamese name.",
            "parameters": [_query("tier", {"type": "string", "enum": [t.value for t in Tier]}, "Only this tier."),
                           _query("kind", {"type": "string", "enum": [k.value for k in Kind]}, "Only this kind."),
                           SEARCH, *PAGING, ACCEPT_LANGUAGE, IF_NONE_MATCH],
            "responses": {**_ok("AgencyList", "One page of agencies."), **NOT_MODIFIED, **_errors(422)},
        }},
        "/agencies/{code}": {"get": {
            "tags": ["public"], "summary": "An active agency and its verified reports", "operationId": "getAgency",
            "security": PUBLIC,
            "parameters": [CODE, {**PERIOD_QUERY, "description": "The scorecard's period (default: the latest "
                                                                 "with verified data)."},
                           ACCEPT_LANGUAGE, IF_NONE_MATCH],
            "responses": {**_ok("AgencyDetail", "The agency."), **NOT_MODIFIED, **_errors(404, 422)},
        }},
        "/rankings": {"get": {
            "tags": ["public"], "summary": "Scorecards and the ranking of a period (SPEC §3c)",
            "operationId": "getRanking", "security": PUBLIC,
            "description": "Within each group higher exact scores rank first; equal scores share a rank and the "
                           "next skips (1, 1, 3); agencies without a verified report are listed not assessed "
                           "(rank and score null); agencies of no group are scored, not ranked. `provisional` "
                           "while the period is not closed; `movement` against the latest earlier closed period.",
            "parameters": [{**PERIOD_QUERY, "description": "Reporting period (default: the latest with verified "
                                                           "data)."},
                           _query("group", {"type": "string"}, "Only this group (its code); `unranked` is "
                                                               "then empty."),
                           _query("scorecards", {"type": "string", "enum": ["true", "false"]},
                                  "`true`: each agency's full scorecard too."),
                           ACCEPT_LANGUAGE, IF_NONE_MATCH],
            "responses": {**_ok("Ranking", "The ranking."), **NOT_MODIFIED, **_errors(404, 422)},
        }},
        "/services": {"get": {
            "tags": ["public"], "summary": "Active services with their verified level", "operationId": "listServices",
            "security": PUBLIC,
            "description": "A service's level and evidence are those of its agency's last verified report for the "
                           "period; without one the level is null with `verified: false`. Ordered by "
                           "Vietnamese name, then code.",
            "parameters": [{**PERIOD_QUERY, "description": "Reporting period (default: the latest with verified "
                                                           "data)."},
                           _query("agency", {"type": "string"}, "Code of the owning agency."),
                           _query("sector", {"type": "string"}, "Sector (lĩnh vực), exactly."),
                           _query("level", {"type": "string", "pattern": f"^([{MIN_LEVEL}-{MAX_LEVEL}]|none)$"},
                                  "Only services at this verified level, or `none`: without verified data."),
                           SEARCH, *PAGING, ACCEPT_LANGUAGE, IF_NONE_MATCH],
            "responses": {**_ok("ServiceList", "One page of services."), **NOT_MODIFIED, **_errors(404, 422)},
        }},
        "/openapi.json": {"get": {
            "tags": ["public"], "summary": "This document", "operationId": "getOpenApi", "security": PUBLIC,
            "responses": {"200": {"description": "OpenAPI 3.0.3", "content": {"application/json": {
                "schema": {"type": "object", "required": ["openapi", "paths"]}}}}},
        }},
        "/agencies/{code}/submissions/{year}": {
            "get": {
                "tags": ["submissions"], "summary": "An agency's current entries for a period",
                "operationId": "getSubmission", "security": WRITERS,
                "description": "That agency's focal points, auditors and administrators. In an open period where "
                               "the agency has no submission yet: an empty draft at version 0.",
                "parameters": [CODE, YEAR, ACCEPT_LANGUAGE],
                "responses": {**_ok("Submission", "The entries."), **_errors(401, 403, 404, 429)},
            },
            "put": {
                "tags": ["submissions"], "summary": "Save entries into the draft", "operationId": "saveSubmission",
                "security": WRITERS,
                "description": "That agency's focal point, while the period is open and the submission is a draft "
                               "or returned. `version` must be the one read; the change is what the body sends that "
                               "differs from that version: fields others changed since are kept, and fields both "
                               "changed differently are a 409 listing `conflicts`, with nothing written.",
                "parameters": [CODE, YEAR, ACCEPT_LANGUAGE],
                "requestBody": {"required": True,
                                "content": {"application/json": {"schema": _ref("SubmissionEdit")}}},
                "responses": {**_ok("Submission", "The entries as saved."),
                              **_errors(400, 401, 403, 404, 409, 422, 429)},
            },
        },
        "/agencies/{code}/submissions/{year}/submit": {"post": {
            **_submission_action("Submit for verification", "VersionBody",
                                 "That agency's focal point: draft or returned → submitted; 422 lists what is "
                                 "missing."), "operationId": "submitSubmission"}},
        "/agencies/{code}/submissions/{year}/verify": {"post": {
            **_submission_action("Verify", "CommentBody", "Auditors: submitted → verified."),
            "operationId": "verifySubmission"}},
        "/agencies/{code}/submissions/{year}/return": {"post": {
            **_submission_action("Return with a comment", "CommentBody", "Auditors: submitted → returned."),
            "operationId": "returnSubmission"}},
        "/agencies/{code}/submissions/{year}/reopen": {"post": {
            **_submission_action("Reopen for a correction", "ReasonBody",
                                 "Auditors: verified → draft; the last verified copy keeps counting until the "
                                 "correction is verified."), "operationId": "reopenSubmission"}},
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Điện Biên service-level registry",
            "version": API_VERSION,
            "description": (
                "Online levels of public services and IT adoption of agencies against the targets of Decision "
                "1529/QĐ-UBND (Điện Biên, 2009). Public reads give verified data only and no personal data. "
                "Writes authenticate with a personal API token (`Authorization: Bearer …`, created with "
                "`registry token create`) or with the session cookie of a signed-in user; a cookie-"
                "authenticated write must also send the page's CSRF token in the `X-CSRFToken` header (a bearer "
                "request needs none). Errors are `{\"error\": {\"code\", \"message\", \"fields\"}}`."),
        },
        "paths": {PREFIX + path: item for path, item in paths.items()},
        "components": {
            "schemas": deepcopy(SCHEMAS),
            "responses": {f"Error{status}": {"description": text, "content": {
                "application/json": {"schema": _ref("Error")}}} for status, text in ERROR_TEXT.items()},
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "A personal API token (`registry token create EMAIL`)."},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session",
                               "description": "The session of a signed-in user (POST /login); writes also need "
                                              "the `X-CSRFToken` header."},
            },
        },
        "tags": [{"name": "public", "description": "No sign-in; verified data only."},
                 {"name": "submissions", "description": "Focal points and auditors."}],
    }


DOCUMENT = build_document()


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(DOCUMENT)
