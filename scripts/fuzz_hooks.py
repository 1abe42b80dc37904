"""Schemathesis checks for `make fuzz-api` (scripts/fuzz-api.sh loads this with SCHEMATHESIS_HOOKS).

`positive_data_acceptance_except_named` is schemathesis's positive-data check (a request the
document allows must not be refused), except for the refusals named below: each depends on what the
record holds, or relates two parts of a request in a way OpenAPI cannot state. Every other refusal
of a request the document allows fails the run, so the document must say every rule the validator
enforces on its own (minimum, exclusiveMinimum, minItems, patterns, kind-dependent fields).
"""

import json
import os
import re

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

# (status, what the problem says, why the document cannot promise it)
NAMED_REFUSALS = [
    (412, re.compile(r"^Stale version$"),
     "the If-Match names a version the fuzzer did not read: it depends on the record"),
    (422, re.compile(r"^Idempotency-Key reused$"),
     "the key was used before with another body: it depends on earlier requests"),
]

# 422 problems whose every error is one of these (path pattern, message pattern, why) are named too.
NAMED_ERRORS = [
    (r".*", r"^no (provider|accelerator model|colocation site|offer|workload) '",
     "a reference to something the record (or the catalog) does not have"),
    (r".*", r"^no provider '.*' in scenario ",
     "an incident's provider must be in the plan's scenario"),
    (r".*", r"^site '.*' belongs to ",
     "a site-power incident's site must belong to its provider: a fact of the record"),
    (r".*", r"^owned hardware needs a colocation site to be hosted at; the scenario has none",
     "an owned fleet needs a colocation site in the record (a whole scenario's document says so)"),
    (r".*", r"is outside the horizon|lies outside the horizon",
     "a month must fall inside the workspace's horizon, which the record holds"),
    (r".*", r"is a \d+-chip system; name the chip",
     "the catalog's systems (GB200 NVL72…) are named by their chip: a fact of the catalog"),
    (r".*stacks$", r"^no known accelerator runs ",
     "the stacks must be run by some accelerator of the catalog or the scenario"),
    (r".*speed\.", r"runs none of the workload's stacks",
     "a measured speed must be for a model that runs the workload's stacks: a fact of the catalog"),
    (r"gang$", r"^no model this workload runs on could ever supply |is no whole number of nodes on any offer",
     "a gang must fit the clusters and node sizes of the record's offers and fleets"),
    (r"work$", r"^one run of .* needs .* months for .* even on its fastest cluster",
     "a run's work must fit its window on the fastest cluster the record offers"),
    (r".*", r"^duplicate id '",
     "ids are unique within a list: a relation among items that JSON Schema cannot state"),
    (r"^id$", r"does not match the URL's id",
     "a PUT body's id must equal the path's: two parts of one request"),
    (r".*window\.end$", r"^must not be before window\.start",
     "a window's end must not precede its start: two fields compared"),
    (r".*minimumNodes$", r"^must be <= availableNodes",
     "an offer's minimum must not exceed its availability: two fields compared"),
    (r".*region$", r"is not in policy\.allowedRegions",
     "a region must be one the policy allows, which the record holds"),
    (r"^timeLimitSeconds$", r"at most",
     "a solver time limit up to this server's --plan-time-limit, a setting of the server"),
]


# RFC 9110's If-Match, as the document's pattern says it.
IF_MATCH = re.compile(r'^[ \t]*(\*|(W/)?"[!#-~]*"([ \t]*,[ \t]*(W/)?"[!#-~]*")*)[ \t]*$')


def named_refusal(response):
    """The reason a refusal is named, or None when it must count as a failure."""
    try:
        problem = json.loads(response.text)
    except ValueError:
        return None
    if not isinstance(problem, dict):
        return None
    for status, title, why in NAMED_REFUSALS:
        if response.status_code == status and title.search(str(problem.get("title", ""))):
            return why
    errors = problem.get("errors") or []
    if response.status_code != 422 or not errors:
        return None
    reasons = []
    for error in errors:
        path, message = str(error.get("path", "")), str(error.get("message", ""))
        why = next((w for p, m, w in NAMED_ERRORS if re.search(p, path) and re.search(m, message)), None)
        if why is None:
            if os.environ.get("FUZZ_UNNAMED_LOG"):
                with open(os.environ["FUZZ_UNNAMED_LOG"], "a") as log:
                    log.write(f"{response.status_code} {path}: {message}\n")
            return None
        reasons.append(why)
    return "; ".join(sorted(set(reasons)))


@schemathesis.check
def positive_data_acceptance_except_named(ctx, response, case):
    if named_refusal(response) is not None:
        return None
    # The coverage phase sometimes sends `If-Match: 0` as if it were allowed; the document's
    # pattern (and RFC 9110) does not allow it, so it is no positive data.
    if_match = (case.headers or {}).get("If-Match")
    if if_match is not None and not IF_MATCH.match(if_match):
        return None
    return positive_data_acceptance(ctx, response, case)
