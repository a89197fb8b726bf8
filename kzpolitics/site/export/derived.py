"""Tables the export derives from its own rows, for researchers who want them ready-made: one
row per party per election (ParlGov's shape, ``party-elections.csv``) and the organizations'
identifiers in other datasets with the citations behind them (``crosswalk.csv``).

They are computed from the rows the export has already selected and written (the public
organizations, their names, elections, rounds, results and citations), never from a second
query: what the public may not see cannot reach them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

from kzpolitics.core.models.places import name_in_use

from .tables import Column

ORGANIZATION = "parties.organization"
IDENTIFIERS = (
    ("partyfacts_id", "partyfacts", "Party Facts ID", "integer"),
    ("wikidata_id", "wikidata", "Wikidata ID", "string"),
)
# The results' tiers and the stem of their columns in party-elections.csv.
TIERS = (
    ("total", "", "in all (the total tier)"),
    ("party_list", "list_", "on the party lists"),
    ("single_member", "district_", "in the single-member districts"),
)
NAMES_OF_THE_TIME = ("official", "former")  # OrganizationName.Kind, as Organization.name_on


def is_identifier_citation(cells: dict) -> bool:
    """A citation backing an organization's identifier in another dataset."""
    fields = {name for name, *_ in IDENTIFIERS}
    return cells["content_type"] == ORGANIZATION and cells["field"] in fields


# Which rows of which tables the derived tables read (None: every row).
KEEP = {
    "organizations": None,
    "organization-names": None,
    "elections": None,
    "rounds": None,
    "results": None,
    "citations": is_identifier_citation,
}


@dataclass(frozen=True)
class DerivedTable:
    """A table computed from other tables' rows: its file, columns and key."""

    name: str
    title: str
    description: str
    primary_key: list[str]

    @property
    def path(self) -> str:
        return f"{self.name}.csv"


def _column(name, kind, title, description, *, required=False, reference=None, minimum=False):
    constraints: dict = {"required": True} if required else {}
    if minimum:
        constraints["minimum"] = 0
    return Column(name, "", kind, title, description, constraints, reference)


PARTY_ELECTIONS = DerivedTable(
    "party-elections",
    "Parties in elections: one row per party per election (ParlGov's shape)",
    "One row per organization (party, movement, bloc or list) per election in which a result "
    "for it is recorded, whatever its tier: the election's name, kind and date, the "
    "organization's slug, its name at the time of the election and its identifiers in Party "
    "Facts and Wikidata, and its seats and vote share in each tier of seats: the total "
    "(seats, seats_of, vote_share, as ParlGov's seats and vote_share), the party lists "
    "(list_*) and the single-member districts (district_*). A tier the source gives no figure "
    "for is empty: the total is not computed from the tiers, nor a tier from the total. "
    "Results for a candidate (a person, as in presidential elections) are not here; "
    "results.csv has every result. Where one tier has several results for the party (one per "
    "round), the row takes the one for the election as a whole, else the last round's. "
    "Derived from results.csv, elections.csv, rounds.csv, organizations.csv and "
    "organization-names.csv of this package.",
    ["election_slug", "organization_slug"],
)

CROSSWALK = DerivedTable(
    "crosswalk",
    "Crosswalk: organizations' identifiers in other datasets",
    "One row per organization that has an identifier in another dataset: its Party Facts ID "
    "(partyfacts.herokuapp.com) and its Wikidata item, each with the citation that backs it "
    "(its id in citations.csv, the source's slug and where in the source: pages, section or "
    "footnote). Where several citations back one identifier, the first (lowest id) is given; "
    "citations.csv has them all. Derived from organizations.csv and citations.csv.",
    ["organization_slug"],
)

DERIVED = (PARTY_ELECTIONS, CROSSWALK)


def columns_of(table: DerivedTable) -> list[Column]:
    """The derived table's columns, with their Frictionless schema."""
    if table is CROSSWALK:
        found = [
            _column(
                "organization_slug",
                "string",
                "Organization",
                "Slug of the organization (organizations.csv).",
                required=True,
                reference=("organizations", "slug"),
            ),
            _column(
                "organization_name", "string", "Name", "The organization's name.", required=True
            ),
        ]
        for name, stem, title, kind in IDENTIFIERS:
            found += [
                _column(name, kind, title, f"Its {title}, or empty.", minimum=kind == "integer"),
                _column(
                    f"{stem}_citation_id",
                    "integer",
                    f"{title}: citation",
                    f"Id of the citation backing the {title} (citations.csv); empty if none.",
                    reference=("citations", "id"),
                ),
                _column(
                    f"{stem}_source_slug",
                    "string",
                    f"{title}: source",
                    "Slug of the source that citation names (sources.csv).",
                    reference=("sources", "slug"),
                ),
                _column(
                    f"{stem}_locator",
                    "string",
                    f"{title}: where in the source",
                    "Where in the source: its pages, section or footnote, as the citation "
                    "gives them.",
                ),
            ]
        return found
    found = [
        _column(
            "election_slug",
            "string",
            "Election",
            "Slug of the election (elections.csv).",
            required=True,
            reference=("elections", "slug"),
        ),
        _column("election_name", "string", "Election name", "The election's name.", required=True),
        _column(
            "election_kind",
            "string",
            "Election kind",
            "presidential, majilis or municipal (elections.csv).",
            required=True,
        ),
        _column(
            "election_date_text", "string", "Date", "The election's date as the source words it."
        ),
        _column("election_date_edtf", "string", "Date (EDTF)", "The election's date in EDTF."),
        _column("election_date_earliest", "date", "Date: earliest", "First day the date can mean."),
        _column("election_date_latest", "date", "Date: latest", "Last day the date can mean."),
        _column(
            "election_seats_total",
            "integer",
            "Seats at stake",
            "Seats at stake in all, where the source gives it (ParlGov's seats_total).",
            minimum=True,
        ),
        _column(
            "organization_slug",
            "string",
            "Organization",
            "Slug of the organization (organizations.csv).",
            required=True,
            reference=("organizations", "slug"),
        ),
        _column(
            "organization_name",
            "string",
            "Name at the time",
            "The name the organization bore at the election (its official or former name in "
            "use then, organization-names.csv), else its name.",
            required=True,
        ),
        _column(
            "organization_current_name",
            "string",
            "Name",
            "The organization's name as its record gives it (organizations.csv).",
            required=True,
        ),
        _column(
            "partyfacts_id",
            "integer",
            "Party Facts ID",
            "Its Party Facts ID, or empty.",
            minimum=True,
        ),
        _column("wikidata_id", "string", "Wikidata ID", "Its Wikidata item, or empty."),
    ]
    for _, stem, words in TIERS:
        found += [
            _column(f"{stem}seats", "integer", f"{stem}seats", f"Seats won {words}.", minimum=True),
            _column(
                f"{stem}seats_of",
                "integer",
                f"{stem}seats_of",
                f"Out of how many seats {words}.",
                minimum=True,
            ),
            _column(
                f"{stem}vote_share",
                "number",
                f"{stem}vote_share",
                f"Percent of the votes {words}.",
            ),
        ]
    return found


def derived_rows(table: DerivedTable, kept: dict[str, list[dict]]) -> list[dict]:
    """The derived table's rows, from the kept rows of the export's tables."""
    if table is CROSSWALK:
        return crosswalk_rows(kept)
    return party_election_rows(kept)


def party_election_rows(kept: dict[str, list[dict]]) -> list[dict]:
    organizations = {row["slug"]: row for row in kept["organizations"]}
    elections = {row["slug"]: row for row in kept["elections"]}
    round_number = {row["id"]: row["number"] for row in kept["rounds"]}
    names: dict[str, list] = {}
    for row in kept["organization-names"]:
        names.setdefault(row["organization_slug"], []).append(
            SimpleNamespace(
                name=row["name"],
                kind=row["kind"],
                start_earliest=row["start_earliest"],
                start_latest=row["start_latest"],
                end_earliest=row["end_earliest"],
                end_latest=row["end_latest"],
            )
        )
    by_pair: dict[tuple[str, str], list[dict]] = {}
    for result in kept["results"]:
        if result["organization_slug"]:
            by_pair.setdefault((result["election_slug"], result["organization_slug"]), []).append(
                result
            )
    rows = []
    for (election_slug, organization_slug), results in by_pair.items():
        election = elections[election_slug]
        organization = organizations[organization_slug]
        when = SimpleNamespace(earliest=election["date_earliest"], latest=election["date_latest"])
        row = {
            "election_slug": election_slug,
            "election_name": election["name"],
            "election_kind": election["kind"],
            "election_date_text": election["date_text"],
            "election_date_edtf": election["date_edtf"],
            "election_date_earliest": election["date_earliest"],
            "election_date_latest": election["date_latest"],
            "election_seats_total": election["seats_total"],
            "organization_slug": organization_slug,
            "organization_name": name_in_use(
                names.get(organization_slug, []), when, NAMES_OF_THE_TIME, organization["name"]
            ),
            "organization_current_name": organization["name"],
            "partyfacts_id": organization.get("partyfacts_id"),
            "wikidata_id": organization.get("wikidata_id") or "",
        }
        for tier, stem, _ in TIERS:
            chosen = chosen_result([r for r in results if r["tier"] == tier], round_number)
            row[f"{stem}seats"] = chosen["seats"] if chosen else None
            row[f"{stem}seats_of"] = chosen["seats_of"] if chosen else None
            row[f"{stem}vote_share"] = chosen["vote_share"] if chosen else None
        rows.append(row)
    far = datetime.date.max
    rows.sort(
        key=lambda r: (
            r["election_date_earliest"] or far,
            r["election_slug"],
            r["organization_slug"],
        )
    )
    return rows


def chosen_result(results: list[dict], round_number: dict) -> dict | None:
    """Of one party's results in one tier of one election: the election-wide one (no round),
    else the last round's; the lowest id among equals."""
    if not results:
        return None

    def rank(result):
        number = round_number.get(result["round_id"]) if result["round_id"] else None
        return (number is None, number or 0, -result["id"])

    return max(results, key=rank)


def locator(citation: dict) -> str:
    parts = []
    if citation["pages"]:
        parts.append(f"pp. {citation['pages']}")
    if citation["section"]:
        parts.append(citation["section"])
    if citation["footnote"] is not None:
        parts.append(f"footnote {citation['footnote']}")
    return "; ".join(parts)


def crosswalk_rows(kept: dict[str, list[dict]]) -> list[dict]:
    backing: dict[tuple[int, str], dict] = {}
    for citation in sorted(kept["citations"], key=lambda c: c["id"]):
        backing.setdefault((citation["object_id"], citation["field"]), citation)
    rows = []
    for organization in sorted(kept["organizations"], key=lambda r: r["slug"]):
        if organization.get("partyfacts_id") is None and not organization.get("wikidata_id"):
            continue
        row = {"organization_slug": organization["slug"], "organization_name": organization["name"]}
        for name, stem, _, _ in IDENTIFIERS:
            value = organization.get(name)
            citation = backing.get((organization["id"], name)) if value not in (None, "") else None
            row[name] = value if value not in (None, "") else None
            row[f"{stem}_citation_id"] = citation["id"] if citation else None
            row[f"{stem}_source_slug"] = citation["source_slug"] if citation else None
            row[f"{stem}_locator"] = locator(citation) if citation else None
        rows.append(row)
    return rows
