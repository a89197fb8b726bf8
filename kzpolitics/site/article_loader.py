"""Load the founding article's data from ``fixtures/*.yaml`` into the database.

The YAML format is described in ``fixtures/README.md``. Loading is all or nothing: every
problem found (unknown slug, unknown key, invalid date or choice, a filled factual field no
citation names, a quote that is not word for word in the article) is collected and reported
with its file and record, and nothing is saved unless there are none.

This is site-level code (it sits beside the settings, not in the shared models), so it may
know every app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from elections.models import Election, Result, Round
from kzpolitics.core.dates import UncertainDate
from kzpolitics.core.models import (
    Citation,
    Cited,
    Event,
    Person,
    PersonName,
    Place,
    PlaceName,
    Source,
    Status,
)
from legislation.models import LegalAct, Provision, RegistrationDecision
from parties.models import (
    MembershipFigure,
    Organization,
    OrganizationName,
    Relation,
    Role,
    Stance,
)

FILES = (
    "sources.yaml",
    "places.yaml",
    "people.yaml",
    "organizations.yaml",
    "elections.yaml",
    "legislation.yaml",
    "events.yaml",
)
ARTICLE_SLUG = "babak-kazakhstan-multiparty-system"
HISTORY_REASON = "Loaded from the article's reviewed data (fixtures/)"
CITATION_KEYS = {"field", "source", "pages", "footnote", "section", "quote", "note"}
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


class LoadError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the fixtures")


def normalize(text: str) -> str:
    """Text for quote matching: no footnote markers, page-break hyphens or spacing differences."""
    text = re.sub(f"[{SUPERSCRIPTS}]+", "", text)
    text = re.sub(r"-\s*\n\s*\n\s*", "", text)  # words hyphenated across a page break
    text = re.sub(r"\s+", " ", text)
    return text.strip()


@dataclass
class Loader:
    fixtures_dir: Path
    article_path: Path
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        self.article = normalize(self.article_path.read_text(encoding="utf-8"))
        self.sources: dict[str, Source] = {}
        self.places: dict[str, Place] = {}
        self.people: dict[str, Person] = {}
        self.organizations: dict[str, Organization] = {}
        self.elections: dict[str, Election] = {}
        self.acts: dict[str, LegalAct] = {}
        self.context = ""

    # -- reporting ---------------------------------------------------------------------------

    def problem(self, message: str) -> None:
        self.problems.append(f"{self.context}: {message}" if self.context else message)

    def count(self, model: type[models.Model]) -> None:
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + 1

    # -- entry point -------------------------------------------------------------------------

    def load(self) -> dict[str, int]:
        data = {name: self.read(name) for name in FILES}
        with transaction.atomic():
            for entry in data["sources.yaml"].get("sources", []):
                self.with_context("sources.yaml", entry, self.load_source)
            self.article_source = self.sources.get(ARTICLE_SLUG)
            if self.article_source is None:
                raise LoadError([f"sources.yaml: the article ({ARTICLE_SLUG}) is missing"])
            self.each("places.yaml", "places", data, self.load_place)
            for entry in data["places.yaml"].get("places", []):
                self.with_context("places.yaml", entry, self.link_place)
            self.each("people.yaml", "people", data, self.load_person)
            orgs = data["organizations.yaml"].get("organizations", [])
            for entry in orgs:
                self.with_context("organizations.yaml", entry, self.load_organization)
            for entry in orgs:
                self.with_context("organizations.yaml", entry, self.load_organization_rows)
            self.each("elections.yaml", "elections", data, self.load_election)
            self.each("legislation.yaml", "acts", data, self.load_act)
            for index, entry in enumerate(data["legislation.yaml"].get("registrations", [])):
                self.context = f"legislation.yaml: registrations[{index}]"
                self.guard(self.load_registration, entry)
            self.each("events.yaml", "events", data, self.load_event)
            self.context = ""
            if self.problems:
                raise LoadError(self.problems)
        return self.counts

    def read(self, name: str) -> dict:
        path = self.fixtures_dir / name
        if not path.exists():
            self.problems.append(f"{name}: file missing")
            return {}
        try:
            return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            self.problems.append(f"{name}: not valid YAML: {exc}")
            return {}

    def each(self, filename, key, data, method):
        for entry in data[filename].get(key, []):
            self.with_context(filename, entry, method)

    def with_context(self, filename: str, entry: dict, method) -> None:
        slug = entry.get("slug") if isinstance(entry, dict) else None
        self.context = f"{filename}: {slug or repr(entry)[:60]}"
        self.guard(method, entry)

    def guard(self, method, entry) -> None:
        if not isinstance(entry, dict):
            self.problem("expected a mapping")
            return
        try:
            with transaction.atomic():
                method(entry)
        except ValidationError as exc:
            for message in _messages(exc):
                self.problem(message)
        except (KeyError, TypeError, ValueError) as exc:
            self.problem(f"{type(exc).__name__}: {exc}")

    # -- generic helpers ---------------------------------------------------------------------

    def check_keys(self, entry: dict, allowed: set[str], where: str = "") -> None:
        unknown = set(entry) - allowed
        if unknown:
            self.problem(f"{where}unknown key(s): {', '.join(sorted(unknown))}")

    def ref(self, table: dict[str, Any], slug: str | None, what: str):
        if not slug:
            return None
        found = table.get(slug)
        if found is None:
            self.problem(f"unknown {what} “{slug}”")
        return found

    def assign(self, obj: models.Model, entry: dict, plain: tuple[str, ...], dates=()) -> None:
        for name in plain:
            value = entry.get(name)
            if value is None:
                value = "" if _is_text(obj, name) else None
            elif isinstance(value, float):
                value = Decimal(str(value))  # 79.78, not 79.780000000000001136868...
            setattr(obj, name, value)
        for name in dates:
            value = entry.get(name)
            if value is not None and not isinstance(value, dict):
                raise ValidationError({name: "a date is a mapping {text: ..., edtf: ...}"})
            if value:
                self.check_keys(value, {"text", "edtf"}, f"{name}: ")
            setattr(obj, name, value or {})

    def save(self, obj: Cited | Source, exclude=()) -> None:
        obj.full_clean(exclude=exclude, validate_unique=False)
        self.publish(obj)
        obj.save()
        self.count(type(obj))

    @staticmethod
    def publish(obj) -> None:
        """The article's data has been reviewed sentence by sentence: it goes out published,
        and its history says where it came from."""
        obj.status = Status.PUBLISHED
        obj._change_reason = HISTORY_REASON

    def upsert(self, model, slug: str):
        if not slug:
            raise ValidationError("missing slug")
        obj = model.objects.filter(slug=slug).first() or model(slug=slug)
        return obj

    def cite(self, obj: Cited, citations: list | None, where: str = "") -> None:
        """Replace the record's citations with these; check record and field coverage."""
        obj.citations.all().delete()
        citations = citations or []
        if not isinstance(citations, list):
            self.problem(f"{where}citations must be a list")
            return
        named = set()
        for item in citations:
            if not isinstance(item, dict):
                self.problem(f"{where}a citation must be a mapping")
                continue
            self.check_keys(item, CITATION_KEYS, f"{where}citation: ")
            name = item.get("field") or ""
            if name and name not in obj.CITED_FIELDS:
                self.problem(
                    f"{where}citation names “{name}”, not a cited field of "
                    f"{obj._meta.verbose_name} ({', '.join(obj.CITED_FIELDS) or 'none'})"
                )
            named.add(name)
            source = self.ref(self.sources, item.get("source") or ARTICLE_SLUG, "source")
            if source is None:
                continue
            footnote = item.get("footnote")
            via = None
            if source != self.article_source and footnote:
                via = self.article_source
                listed = {int(n) for n in source.footnotes.split(",") if n.strip()}
                if int(footnote) not in listed:
                    self.problem(
                        f"{where}footnote {footnote} does not name {source.slug} "
                        f"(it is named in footnotes {source.footnotes or 'none'})"
                    )
            quote = (item.get("quote") or "").strip()
            if quote and normalize(quote) not in self.article:
                self.problem(f"{where}quote not found in the article: “{quote[:80]}”")
            citation = Citation(
                content_object=obj,
                field=name,
                source=source,
                pages=str(item.get("pages") or ""),
                footnote=footnote,
                section=item.get("section") or "",
                quote=quote,
                via=via,
                note=item.get("note") or "",
            )
            citation.full_clean(exclude=("content_type", "object_id"))
            self.publish(citation)
            citation.save()
            self.count(Citation)
        if "" not in named:
            self.problem(f"{where}no citation for the record as a whole")
        missing = [n for n in obj.filled_cited_fields() if n not in named]
        if missing:
            self.problem(f"{where}filled but uncited: {', '.join(missing)}")

    def rows(self, entry: dict, key: str, build) -> None:
        for index, item in enumerate(entry.get(key) or []):
            where = f"{key}[{index}]: "
            if not isinstance(item, dict):
                self.problem(f"{where}expected a mapping")
                continue
            try:
                with transaction.atomic():
                    obj = build(item, where)
                    if obj is not None:
                        self.cite(obj, item.get("citations"), where)
            except ValidationError as exc:
                for message in _messages(exc):
                    self.problem(f"{where}{message}")

    # -- sources, places, people ---------------------------------------------------------------

    def load_source(self, entry: dict) -> None:
        plain = (
            "kind",
            "authors",
            "editors",
            "title",
            "container",
            "issue",
            "publisher",
            "place",
            "url",
            "reference_text",
            "note",
        )
        self.check_keys(entry, {"slug", "date", "footnotes", *plain})
        obj = self.upsert(Source, entry.get("slug"))
        self.assign(obj, entry, plain, ("date",))
        obj.footnotes = ",".join(str(n) for n in entry.get("footnotes") or [])
        self.save(obj)
        self.sources[obj.slug] = obj

    def load_place(self, entry: dict) -> None:
        self.check_keys(entry, {"slug", "kind", "name", "parent", "names", "note", "citations"})
        obj = self.upsert(Place, entry.get("slug"))
        self.assign(obj, entry, ("kind", "name", "note"))
        self.save(obj)
        self.places[obj.slug] = obj
        self.cite(obj, entry.get("citations"))
        obj.names.all().delete()

        def build(item, where):
            self.check_keys(
                item,
                {"name", "kind", "language", "start", "end", "note", "citations"},
                where,
            )
            row = PlaceName(place=obj)
            self.assign(row, item, ("name", "kind", "language", "note"), ("start", "end"))
            self.save(row)
            return row

        self.rows(entry, "names", build)

    def link_place(self, entry: dict) -> None:
        obj = self.places.get(entry.get("slug"))
        if obj is not None:
            obj.parent = self.ref(self.places, entry.get("parent"), "place")
            obj.save(update_fields=["parent"])

    def load_person(self, entry: dict) -> None:
        self.check_keys(
            entry, {"slug", "name", "description", "names", "roles", "note", "citations"}
        )
        obj = self.upsert(Person, entry.get("slug"))
        self.assign(obj, entry, ("name", "description", "note"))
        self.save(obj)
        self.people[obj.slug] = obj
        self.cite(obj, entry.get("citations"))
        obj.names.all().delete()
        obj.roles.filter(organization__isnull=True).delete()

        def build_name(item, where):
            self.check_keys(item, {"name", "kind", "note", "citations"}, where)
            row = PersonName(person=obj)
            self.assign(row, item, ("name", "kind", "note"))
            self.save(row)
            return row

        def build_role(item, where):
            self.check_keys(item, {"title", "kind", "start", "end", "note", "citations"}, where)
            row = Role(person=obj)
            self.assign(row, item, ("title", "kind", "note"), ("start", "end"))
            self.save(row)
            return row

        self.rows(entry, "names", build_name)
        self.rows(entry, "roles", build_role)

    # -- parties -------------------------------------------------------------------------------

    ORG_PLAIN = ("kind", "name", "aims", "ideology", "social_base", "summary", "note")
    ORG_ROWS = ("names", "stances", "membership", "roles", "relations")

    def load_organization(self, entry: dict) -> None:
        self.check_keys(
            entry,
            {
                "slug",
                "founded",
                "dissolved",
                "founding_place",
                "citations",
                *self.ORG_PLAIN,
                *self.ORG_ROWS,
            },
        )
        obj = self.upsert(Organization, entry.get("slug"))
        self.assign(obj, entry, self.ORG_PLAIN, ("founded", "dissolved"))
        obj.founding_place = self.ref(self.places, entry.get("founding_place"), "place")
        self.save(obj)
        self.organizations[obj.slug] = obj
        self.cite(obj, entry.get("citations"))

    def load_organization_rows(self, entry: dict) -> None:
        obj = self.organizations.get(entry.get("slug"))
        if obj is None:
            return
        for related in (obj.names, obj.stances, obj.membership_figures, obj.roles):
            related.all().delete()
        obj.relations_from.all().delete()

        def build_name(item, where):
            self.check_keys(
                item, {"name", "kind", "language", "start", "end", "note", "citations"}, where
            )
            row = OrganizationName(organization=obj)
            self.assign(row, item, ("name", "kind", "language", "note"), ("start", "end"))
            self.save(row)
            return row

        def build_stance(item, where):
            self.check_keys(item, {"stance", "wording", "start", "end", "citations"}, where)
            row = Stance(organization=obj)
            self.assign(row, item, ("stance", "wording"), ("start", "end"))
            self.save(row)
            return row

        def build_membership(item, where):
            self.check_keys(
                item,
                {"wording", "low", "high", "regional_organizations", "date", "citations"},
                where,
            )
            row = MembershipFigure(organization=obj)
            self.assign(row, item, ("wording", "low", "high", "regional_organizations"), ("date",))
            self.save(row)
            return row

        def build_role(item, where):
            self.check_keys(
                item, {"person", "title", "kind", "start", "end", "note", "citations"}, where
            )
            person = self.ref(self.people, item.get("person"), "person")
            if person is None:
                return None
            row = Role(person=person, organization=obj)
            self.assign(row, item, ("title", "kind", "note"), ("start", "end"))
            self.save(row)
            return row

        def build_relation(item, where):
            self.check_keys(item, {"kind", "to", "date", "end", "note", "citations"}, where)
            other = self.ref(self.organizations, item.get("to"), "organization")
            if other is None:
                return None
            row = Relation(subject=obj, object=other)
            self.assign(row, item, ("kind", "note"), ("date", "end"))
            self.save(row)
            return row

        self.rows(entry, "names", build_name)
        self.rows(entry, "stances", build_stance)
        self.rows(entry, "membership", build_membership)
        self.rows(entry, "roles", build_role)
        self.rows(entry, "relations", build_relation)

    # -- elections -----------------------------------------------------------------------------

    def load_election(self, entry: dict) -> None:
        plain = (
            "kind",
            "name",
            "parties_taking_part",
            "parties_wording",
            "seats_total",
            "summary",
            "note",
        )
        self.check_keys(entry, {"slug", "date", "rounds", "results", "citations", *plain})
        obj = self.upsert(Election, entry.get("slug"))
        self.assign(obj, entry, plain, ("date",))
        self.save(obj)
        self.elections[obj.slug] = obj
        self.cite(obj, entry.get("citations"))
        obj.results.all().delete()
        obj.rounds.all().delete()

        def build_round(item, where):
            self.check_keys(item, {"number", "date", "citations"}, where)
            row = Round(election=obj)
            self.assign(row, item, ("number",), ("date",))
            self.save(row)
            return row

        def build_result(item, where):
            plain = ("tier", "seats", "seats_of", "vote_share", "wording", "note")
            self.check_keys(item, {"organization", "person", "round", "citations", *plain}, where)
            row = Result(election=obj)
            self.assign(row, item, plain)
            row.organization = self.ref(
                self.organizations, item.get("organization"), "organization"
            )
            row.person = self.ref(self.people, item.get("person"), "person")
            if item.get("round"):
                row.round = obj.rounds.filter(number=item["round"]).first()
                if row.round is None:
                    self.problem(f"{where}no round {item['round']}")
            self.save(row)
            return row

        self.rows(entry, "rounds", build_round)
        self.rows(entry, "results", build_result)

    # -- legislation ---------------------------------------------------------------------------

    def load_act(self, entry: dict) -> None:
        plain = ("jurisdiction", "kind", "title", "summary", "note")
        self.check_keys(entry, {"slug", "adopted", "body", "provisions", "citations", *plain})
        obj = self.upsert(LegalAct, entry.get("slug"))
        self.assign(obj, entry, plain, ("adopted",))
        obj.body = self.ref(self.organizations, entry.get("body"), "organization")
        self.save(obj)
        self.acts[obj.slug] = obj
        self.cite(obj, entry.get("citations"))
        obj.provisions.all().delete()
        position = iter(range(1, 1000))

        def build_provision(item, where):
            plain = ("reference", "text", "summary", "requirement_kind", "requirement_value")
            self.check_keys(item, {"citations", *plain}, where)
            row = Provision(act=obj, position=next(position))
            self.assign(row, item, plain)
            self.save(row)
            return row

        self.rows(entry, "provisions", build_provision)

    def load_registration(self, entry: dict) -> None:
        self.check_keys(
            entry, {"organization", "act", "decision", "date", "body", "note", "citations"}
        )
        organization = self.ref(self.organizations, entry.get("organization"), "organization")
        if organization is None:
            return
        if not getattr(self, "_registrations_cleared", False):
            RegistrationDecision.objects.filter(
                organization__slug__in=list(self.organizations)
            ).delete()
            self._registrations_cleared = True
        obj = RegistrationDecision(organization=organization)
        self.assign(obj, entry, ("decision", "note"), ("date",))
        obj.act = self.ref(self.acts, entry.get("act"), "act")
        obj.body = self.ref(self.organizations, entry.get("body"), "organization")
        self.save(obj)
        self.cite(obj, entry.get("citations"))

    # -- events --------------------------------------------------------------------------------

    def load_event(self, entry: dict) -> None:
        plain = ("kind", "title", "summary", "note")
        links = ("organizations", "people", "elections", "acts")
        self.check_keys(entry, {"slug", "date", "place", "citations", *plain, *links})
        obj = self.upsert(Event, entry.get("slug"))
        self.assign(obj, entry, plain, ("date",))
        obj.place = self.ref(self.places, entry.get("place"), "place")
        self.save(obj)
        self.cite(obj, entry.get("citations"))
        tables = {
            "organizations": (self.organizations, "organization"),
            "people": (self.people, "person"),
            "elections": (self.elections, "election"),
            "acts": (self.acts, "act"),
        }
        for key, (table, what) in tables.items():
            found = [self.ref(table, slug, what) for slug in entry.get(key) or []]
            getattr(obj, key).set([item for item in found if item is not None])


def _is_text(obj: models.Model, name: str) -> bool:
    try:
        return isinstance(obj._meta.get_field(name), models.CharField | models.TextField)
    except Exception:
        return False


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{key}: {msg}" for key, msgs in exc.message_dict.items() for msg in msgs]
    return list(exc.messages)


def load_article(fixtures_dir: Path | None = None, article_path: Path | None = None) -> dict:
    loader = Loader(
        Path(fixtures_dir or settings.FIXTURES_DIR), Path(article_path or settings.ARTICLE_PATH)
    )
    return loader.load()


__all__ = ["LoadError", "Loader", "UncertainDate", "load_article", "normalize"]
