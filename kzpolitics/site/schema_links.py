"""OpenAPI links in the schema: how one answer leads to the next.

From a list's first record, and from a record just created or saved, to that record; and from a
record to what concerns it (``RELATED``), so that a client, or schemathesis's stateful phase,
can follow them. :func:`kzpolitics.site.schema.document_api` adds them to the schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

READ_METHODS = ("get", "head")
WRITE_METHODS = ("post", "put", "patch", "delete")


@dataclass(frozen=True)
class Related:
    """A link from a record's page of the API (its GET's 200) to another operation, given a
    value of the record: ``parameter`` (``path.<name>`` or ``query.<name>``) takes
    ``expression``, a runtime expression such as ``$response.body#/slug``."""

    source: str  # operationId
    name: str
    target: str  # operationId
    parameter: str
    expression: str
    description: str


# What concerns a record, by the list filters that take its slug, and the records it names.
RELATED = (
    Related(
        "organizations_retrieve",
        "results",
        "results_list",
        "query.organization",
        "$response.body#/slug",
        "The organization's election results.",
    ),
    Related(
        "organizations_retrieve",
        "elections",
        "elections_list",
        "query.party",
        "$response.body#/slug",
        "The elections the organization took part in.",
    ),
    Related(
        "organizations_retrieve",
        "people",
        "people_list",
        "query.organization",
        "$response.body#/slug",
        "The people who held a role in the organization.",
    ),
    Related(
        "organizations_retrieve",
        "registrations",
        "registrations_list",
        "query.organization",
        "$response.body#/slug",
        "The registration decisions about the organization.",
    ),
    Related(
        "organizations_retrieve",
        "events",
        "events_list",
        "query.participant",
        "$response.body#/slug",
        "The events that concern the organization.",
    ),
    Related(
        "organizations_retrieve",
        "relations",
        "organizations_relations_list",
        "path.slug",
        "$response.body#/slug",
        "Every relation the organization has to others, a page at a time (relations_url).",
    ),
    Related(
        "organizations_retrieve",
        "related_from",
        "organizations_related_from_list",
        "path.slug",
        "$response.body#/slug",
        "Every relation others have to the organization, a page at a time (related_from_url).",
    ),
    Related(
        "organizations_retrieve",
        "roles",
        "organizations_roles_list",
        "path.slug",
        "$response.body#/slug",
        "Every role in the organization, with who held it, a page at a time (roles_url).",
    ),
    Related(
        "organizations_retrieve",
        "founding_place",
        "places_retrieve",
        "path.slug",
        "$response.body#/founding_place/slug",
        "Where the organization was founded.",
    ),
    Related(
        "people_retrieve",
        "organizations_led",
        "organizations_list",
        "query.leader",
        "$response.body#/slug",
        "The organizations the person led.",
    ),
    Related(
        "people_retrieve",
        "results",
        "results_list",
        "query.person",
        "$response.body#/slug",
        "The person's results as a candidate.",
    ),
    Related(
        "people_retrieve",
        "events",
        "events_list",
        "query.participant",
        "$response.body#/slug",
        "The events that concern the person.",
    ),
    Related(
        "elections_retrieve",
        "results",
        "results_list",
        "query.election",
        "$response.body#/slug",
        "The election's results, one row each.",
    ),
    Related(
        "results_retrieve",
        "election",
        "elections_retrieve",
        "path.slug",
        "$response.body#/election/slug",
        "The election of the result.",
    ),
    Related(
        "results_retrieve",
        "organization",
        "organizations_retrieve",
        "path.slug",
        "$response.body#/organization/slug",
        "The party of the result (none for a candidate's).",
    ),
    Related(
        "acts_retrieve",
        "registrations",
        "registrations_list",
        "query.act",
        "$response.body#/slug",
        "The registration decisions the act brought about.",
    ),
    Related(
        "registrations_retrieve",
        "organization",
        "organizations_retrieve",
        "path.slug",
        "$response.body#/organization/slug",
        "The organization the decision concerns.",
    ),
    Related(
        "registrations_retrieve",
        "act",
        "acts_retrieve",
        "path.slug",
        "$response.body#/act/slug",
        "The act under which it was decided (none if not known).",
    ),
    Related(
        "events_retrieve",
        "place",
        "places_retrieve",
        "path.slug",
        "$response.body#/place/slug",
        "Where the event happened (none if not known).",
    ),
    Related(
        "sources_retrieve",
        "citations",
        "citations_list",
        "query.source",
        "$response.body#/slug",
        "The citations of the source, a page at a time (cited_by.url).",
    ),
    Related(
        "citations_retrieve",
        "source",
        "sources_retrieve",
        "path.slug",
        "$response.body#/source/slug",
        "The source the citation names.",
    ),
)


def add_links(result: dict) -> None:
    """Links on 200 and 201 answers: from a list's first record, and from a record just
    created or saved, to that record; and from a record to what concerns it (RELATED)."""
    paths = result.get("paths", {})
    by_id = {
        operation["operationId"]: operation
        for item in paths.values()
        for method, operation in item.items()
        if method in READ_METHODS + WRITE_METHODS and "operationId" in operation
    }
    for path, item in paths.items():
        detail = next(
            (other for other in paths if re.fullmatch(rf"{re.escape(path)}\{{\w+\}}/", other)), None
        )
        if "{" in path or detail is None or "get" not in paths[detail]:
            continue
        key = detail.removeprefix(path).strip("{}/")
        target = paths[detail]["get"]["operationId"]
        noun = target.removesuffix("_retrieve")
        if "get" in item:
            link(
                item["get"],
                "200",
                "first",
                target,
                {f"path.{key}": f"$response.body#/results/0/{key}"},
                f"The first of the {noun} on this page (each record's {key} opens it).",
            )
        if "post" in item:
            link(
                item["post"],
                "201",
                "created",
                target,
                {f"path.{key}": f"$response.body#/{key}"},
                "The record just created.",
            )
        for method in ("put", "patch"):
            if method in paths[detail]:
                link(
                    paths[detail][method],
                    "200",
                    "saved",
                    target,
                    {f"path.{key}": f"$response.body#/{key}"},
                    "The record as saved.",
                )
    for related in RELATED:
        source = by_id.get(related.source)
        if source is not None:
            link(
                source,
                "200",
                related.name,
                related.target,
                {related.parameter: related.expression},
                related.description,
            )


def link(
    operation: dict,
    status: str,
    name: str,
    target: str,
    parameters: dict[str, str],
    description: str,
) -> None:
    response = operation.get("responses", {}).get(status)
    if response is not None:
        response.setdefault("links", {})[name] = {
            "operationId": target,
            "parameters": parameters,
            "description": description,
        }
