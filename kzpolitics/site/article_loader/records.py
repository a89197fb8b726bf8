"""How each kind of record reads from its file: sources, places, people, organizations
with their rows, elections, legislation, events and the article's periods."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from elections.models import Election, Result, Round
from kzpolitics.core.models import (
    Event,
    Period,
    Person,
    PersonName,
    Place,
    PlaceName,
    Source,
)
from kzpolitics.site.article_loader.base import LoaderBase
from legislation.models import LegalAct, Provision, RegistrationDecision
from parties.models import (
    MembershipFigure,
    Organization,
    OrganizationName,
    Relation,
    Role,
    Stance,
)


class RecordLoaders(LoaderBase):
    """One method per kind of record in the files; each checks its keys, saves the record
    published and cites it (LoaderBase.cite), replacing what an earlier load made."""

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
            "public_note",
        )
        self.check_keys(entry, {"slug", "date", "footnotes", *plain})
        obj = self.upsert(Source, entry.get("slug"))
        self.assign(obj, entry, plain, ("date",))
        obj.footnotes = ",".join(str(n) for n in entry.get("footnotes") or [])
        self.save(obj)
        self.sources[obj.slug] = obj

    def load_place(self, entry: dict) -> None:
        self.check_keys(
            entry, {"slug", "kind", "name", "parent", "names", "note", "public_note", "citations"}
        )
        obj = self.upsert(Place, entry.get("slug"))
        self.assign(obj, entry, ("kind", "name", "note", "public_note"))
        self.save(obj)
        self.places[obj.slug] = obj
        self.cite(obj, entry.get("citations"))
        obj.names.all().delete()

        def build(item, where):
            self.check_keys(
                item,
                {"name", "kind", "language", "start", "end", "note", "public_note", "citations"},
                where,
            )
            self.check_name(item.get("name"), where)
            row = PlaceName(place=obj)
            self.assign(
                row, item, ("name", "kind", "language", "note", "public_note"), ("start", "end")
            )
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
            entry,
            {"slug", "name", "description", "names", "roles", "note", "public_note", "citations"},
        )
        self.check_name(entry.get("name"))
        obj = self.upsert(Person, entry.get("slug"))
        self.assign(obj, entry, ("name", "description", "note", "public_note"))
        self.save(obj)
        self.people[obj.slug] = obj
        self.cite(obj, entry.get("citations"))
        obj.names.all().delete()
        obj.roles.filter(organization__isnull=True).delete()

        def build_name(item, where):
            self.check_keys(item, {"name", "kind", "note", "public_note", "citations"}, where)
            self.check_name(item.get("name"), where)
            row = PersonName(person=obj)
            self.assign(row, item, ("name", "kind", "note", "public_note"))
            self.save(row)
            return row

        def build_role(item, where):
            self.check_keys(
                item, {"title", "kind", "start", "end", "note", "public_note", "citations"}, where
            )
            row = Role(person=obj)
            self.assign(row, item, ("title", "kind", "note", "public_note"), ("start", "end"))
            self.save(row)
            return row

        self.rows(entry, "names", build_name)
        self.rows(entry, "roles", build_role)

    # -- parties -------------------------------------------------------------------------------

    ORG_PLAIN = (
        "kind",
        "name",
        "aims",
        "ideology",
        "social_base",
        "summary",
        "partyfacts_id",
        "wikidata_id",
        "note",
        "public_note",
    )
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
        self.check_name(entry.get("name"))
        obj = self.upsert(Organization, entry.get("slug"))
        self.assign(obj, entry, self.ORG_PLAIN, ("founded", "dissolved"))
        obj.founding_place = self.ref(self.places, entry.get("founding_place"), "place")
        self.check_identifier_free(obj)
        self.save(obj)
        self.organizations[obj.slug] = obj
        self.cite(obj, entry.get("citations"))

    def release_identifiers(self, entries: list) -> None:
        """Free the Party Facts IDs the files' organizations hold before loading them: the
        column is unique, and a reload may move an ID from one record to another."""
        slugs = [e.get("slug") for e in entries if isinstance(e, dict) and e.get("slug")]
        Organization.objects.filter(slug__in=slugs, partyfacts_id__isnull=False).update(
            partyfacts_id=None
        )

    def check_identifier_free(self, obj: Organization) -> None:
        """A Party Facts ID names one organization: refuse one another record holds (an
        earlier entry of the file, or a record editors made)."""
        if obj.partyfacts_id is None or not isinstance(obj.partyfacts_id, int):
            return  # full_clean reports a value that is not a number
        holder = (
            Organization.objects.filter(partyfacts_id=obj.partyfacts_id)
            .exclude(slug=obj.slug)
            .first()
        )
        if holder is not None:
            raise ValidationError(
                {"partyfacts_id": f"{obj.partyfacts_id} is already that of “{holder.slug}”"}
            )

    def load_organization_rows(self, entry: dict) -> None:
        obj = self.organizations.get(entry.get("slug"))
        if obj is None:
            return
        for related in (obj.names, obj.stances, obj.membership_figures, obj.roles):
            related.all().delete()
        obj.relations_from.all().delete()

        def build_name(item, where):
            self.check_keys(
                item,
                {"name", "kind", "language", "start", "end", "note", "public_note", "citations"},
                where,
            )
            self.check_name(item.get("name"), where)
            row = OrganizationName(organization=obj)
            self.assign(
                row, item, ("name", "kind", "language", "note", "public_note"), ("start", "end")
            )
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
                item,
                {"person", "title", "kind", "start", "end", "note", "public_note", "citations"},
                where,
            )
            person = self.ref(self.people, item.get("person"), "person")
            if person is None:
                return None
            row = Role(person=person, organization=obj)
            self.assign(row, item, ("title", "kind", "note", "public_note"), ("start", "end"))
            self.save(row)
            return row

        def build_relation(item, where):
            self.check_keys(
                item, {"kind", "to", "date", "end", "note", "public_note", "citations"}, where
            )
            other = self.ref(self.organizations, item.get("to"), "organization")
            if other is None:
                return None
            row = Relation(subject=obj, object=other)
            self.assign(row, item, ("kind", "note", "public_note"), ("date", "end"))
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
            "public_note",
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
            plain = ("tier", "seats", "seats_of", "vote_share", "wording", "note", "public_note")
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
        plain = ("jurisdiction", "kind", "title", "summary", "note", "public_note")
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
            entry,
            {"organization", "act", "decision", "date", "body", "note", "public_note", "citations"},
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
        self.assign(obj, entry, ("decision", "note", "public_note"), ("date",))
        obj.act = self.ref(self.acts, entry.get("act"), "act")
        obj.body = self.ref(self.organizations, entry.get("body"), "organization")
        self.save(obj)
        self.cite(obj, entry.get("citations"))

    # -- events --------------------------------------------------------------------------------

    def load_event(self, entry: dict) -> None:
        plain = ("kind", "title", "summary", "note", "public_note")
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

    # -- periods -------------------------------------------------------------------------------

    def load_period(self, entry: dict) -> None:
        plain = ("label", "start_year", "end_year", "title", "summary", "note", "public_note")
        self.check_keys(entry, {"slug", "citations", *plain})
        obj = self.upsert(Period, entry.get("slug"))
        self.assign(obj, entry, plain)
        self.save(obj)
        self.cite(obj, entry.get("citations"))
