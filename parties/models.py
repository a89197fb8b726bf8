"""Parties, movements, public organizations and blocs, and what is known of each over time."""

from __future__ import annotations

import collections
import datetime
import functools

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q

from kzpolitics.core.dates import UncertainDate
from kzpolitics.core.editorial.limits import CEILING
from kzpolitics.core.models import (
    Cited,
    CitedQuerySet,
    Event,
    NameInUse,
    Person,
    Place,
    Status,
    internal_note_field,
    keep_prefetched,
    prefetch_queryset,
    present,
    public_note_field,
    published_prefetch,
)
from kzpolitics.core.models.places import name_date_order, name_in_use
from kzpolitics.core.paths import record_path
from kzpolitics.core.search import SearchKeyField, search

from . import lifespans


class OrganizationQuerySet(CitedQuerySet):
    def with_time_bounds(self, public: bool = True):
        """Annotate each organization with ``founding_earliest``, ``founding_latest``,
        ``ending_earliest`` and ``ending_latest``: its own founded / dissolved date where it
        has one, else bounds derived from the rows that date it (``parties.lifespans`` says
        which and how). With ``public``, only rows the public may see count."""
        if "founding_earliest" in self.query.annotations:
            return self
        return self.annotate(**lifespans.time_bounds(self.model, public))

    def with_lifespans(self, public: bool = True, ask: bool = False):
        """Each organization's ``lifespan`` (its bounds with the evidence that gives them)
        and its ``BOUNDS`` (as ``with_time_bounds`` annotates them) kept once fetched, read
        from its evidence: one more query for all of them, where the annotations cost every
        organization some twenty subqueries (``with_time_bounds`` first to filter by them).
        With ``ask``, which kinds of evidence each has is asked first (``with_presence``):
        the query leaves out the kinds none of them has, or is not run (one organization's
        record: most have no result or registration decision, many no relation or event)."""
        attach = functools.partial(lifespans.attach_lifespans, public=public)
        return self.with_presence(*lifespans.EVIDENCE_OF, ask=ask).after_fetch(attach)

    def active_on(
        self,
        day: datetime.date,
        until: datetime.date | None = None,
        certainty: str | None = None,
        public: bool = True,
    ):
        """Organizations that certainly or possibly existed on a day (or on some day from
        ``day`` to ``until``), each annotated with its ``certainty``: ``certain`` or
        ``possible`` (``parties.lifespans`` gives the rules). ``certainty`` keeps one of them.

        Uncertain dates count both ways: founded “in 1990” possibly existed on 1 June 1990,
        certainly on 1 January 1991 if a later record still names it.
        """
        until = until or day
        found = (
            self.with_time_bounds(public)
            .filter(lifespans.possible_in(day, until))
            .annotate(certainty=lifespans.certainty_in(day, until))
        )
        return found.filter(certainty=certainty) if certainty else found

    def founded_between(self, start=None, end=None):
        qs = self
        if start:
            qs = qs.filter(founded_latest__gte=start)
        if end:
            qs = qs.filter(founded_earliest__lte=end)
        return qs

    def matching(self, text: str):
        """Organizations any of whose names the public may see match the text (``search``)."""
        return search(self, text, ("name", "names__name"))

    def parties(self):
        return self.filter(kind=Organization.Kind.PARTY)

    def members_of(self, bloc_slug: str):
        """Organizations recorded as members of the bloc or alliance with this slug, through
        links the public may see (a published relation to a published bloc)."""
        links = Relation.objects.published().filter(
            kind=Relation.Kind.MEMBER_OF, object__slug=bloc_slug
        )
        return self.filter(pk__in=links.values("subject"))

    def with_profile(
        self, public: bool = True, relations=None, names=None, roles=None, ask: bool = True
    ):
        """What every view of an organization shows (its page, its API record): names,
        stances, membership figures, roles with their people, relations both ways with the
        other organization, and the citations of all of them. One query per kind of row.
        With ``public`` (the default), only rows the public may see; ``public=False`` is an
        editor's preview of drafts. ``relations``, a callable on the fetched organizations,
        keeps their relations in place of ``attach_relations`` (the page keeps one page of a
        hub's relations: ``parties.lineage.attach_relation_page``). ``names``, a callable
        on them once their relations are kept, keeps their names in place of a prefetch (the
        page's ``attach_names``: theirs with those of the organizations related to them).
        ``roles``, a callable on them, keeps their roles in place of a prefetch (the API
        keeps the first of a hub's roles: ``attach_roles``). Each kind of row is read only for
        the organizations that have one (``prefetch_present``), unless ``ask`` is False (a
        page of many, where nearly every kind is there)."""
        profile = self.with_public_links("founding_place", public=public)
        profile = profile.with_presence("relations_from", "relations_to", ask=ask)
        if names is None:
            profile = profile.prefetch_related(
                published_prefetch("names", OrganizationName, public=public)
            )
        profile = profile.prefetch_present(
            published_prefetch("stances", Stance, public=public),
            published_prefetch("membership_figures", MembershipFigure, public=public),
            ask=ask,
        )
        if roles is None:
            profile = profile.prefetch_present(
                published_prefetch(
                    "roles",
                    Role,
                    Role.objects.select_related("person").without_timestamps("person"),
                    public=public,
                ),
                ask=ask,
            )
        else:
            profile = profile.with_presence("roles", ask=ask).after_fetch(roles)
        profile = profile.with_citations(
            "names",
            "stances",
            "membership_figures",
            "roles",
            "relations_from",
            "relations_to",
            public=public,
        )
        # Relations both ways in one query, before their citations are fetched.
        attach = relations or functools.partial(attach_relations, public=public)
        profile = profile.after_fetch(attach)
        return profile if names is None else profile.after_fetch(names)

    def with_record(
        self, public: bool = True, relations=None, events=None, roles=None, results=None
    ):
        """An organization's page: its profile, and the rows other apps link to it (election
        results, registration decisions, events, acts it adopted), reached by relation name
        so that this app need not import those that build on it. ``relations``, ``events``,
        ``roles`` and ``results``, callables on the fetched organizations, keep one page of
        each (the page's view: ``parties.record_pages``), so that a hub's page costs what an
        ordinary one does; by default all of them. The names of the organizations on the
        other end of its relations come with its own (``attach_names``), for the page to name
        each as it was named then."""
        results_model = self.model._meta.get_field("results").related_model
        registrations = self.model._meta.get_field("registrations").related_model
        acts = self.model._meta.get_field("acts_adopted").related_model
        names = functools.partial(attach_names, public=public)
        record = self.with_profile(public=public, relations=relations, names=names, roles=roles)
        linked = [
            # The page shows each decision and its date, not the act or the body.
            published_prefetch("registrations", registrations, public=public),
            published_prefetch("acts_adopted", acts, public=public),
        ]
        if results is None:
            query = results_model.objects.select_related("election")
            linked.append(published_prefetch("results", results_model, query, public=public))
        if events is None:
            linked.append(published_prefetch("events", Event, public=public))
        record = record.prefetch_present(*linked)
        for name, attach in (("results", results), ("events", events)):
            if attach is not None:
                record = record.with_presence(name).after_fetch(attach)
        return record.with_citations("results", "registrations", "events", public=public)

    def led_by(self, person_slug: str):
        """Organizations the person with this slug led (leader, chair or co-chair), through
        roles the public may see."""
        roles = Role.objects.published().filter(
            person__slug=person_slug, kind__in=RoleQuerySet.LEADING
        )
        return self.filter(pk__in=roles.values("organization"))


def may_have_relations(organization) -> bool:
    """Whether the organization may have relations, either way (``present``)."""
    return present(organization, "relations_from") or present(organization, "relations_to")


def attach_relations(organizations: list, public: bool = True, most: int | None = None) -> None:
    """Every relation from or to the organizations, with the organizations at both ends, in
    one query (``prefetch_related`` would take one for each direction), kept as each one's
    prefetched ``relations_from`` and ``relations_to``, in order (``Relation.LISTED``), and how many
    there are each way as its ``relation_counts`` (from, to). With ``public``, only relations
    the public may see (published, between published organizations). With ``most``, each
    keeps no more than that many each way, the first in that order (one more query, of their
    keys alone: a hub has hundreds)."""
    # Those asked (``with_presence``) and found to have none either way are not looked for.
    ids = {organization.pk for organization in organizations if may_have_relations(organization)}
    outgoing: dict[int, list] = {organization.pk: [] for organization in organizations}
    incoming: dict[int, list] = {organization.pk: [] for organization in organizations}
    counts = {"from": collections.Counter(), "to": collections.Counter()}
    if ids:
        both_ways = Relation.objects.visible(public).filter(
            Q(subject_id__in=ids) | Q(object_id__in=ids)
        )
        shown = None
        if most is not None:
            shown = {"from": set(), "to": set()}
            keys = both_ways.order_by(*Relation.LISTED).values_list("pk", "subject_id", "object_id")
            for pk, subject_id, object_id in keys:
                for way, end in (("from", subject_id), ("to", object_id)):
                    if end in ids:
                        counts[way][end] += 1
                        if counts[way][end] <= most:
                            shown[way].add(pk)
            both_ways = Relation.objects.filter(pk__in=shown["from"] | shown["to"])
        rows = both_ways.select_related("subject", "object").order_by(*Relation.LISTED)
        for relation in rows.without_timestamps("subject", "object"):
            if relation.subject_id in ids and (shown is None or relation.pk in shown["from"]):
                outgoing[relation.subject_id].append(relation)
            if relation.object_id in ids and (shown is None or relation.pk in shown["to"]):
                incoming[relation.object_id].append(relation)
    for organization in organizations:
        pk = organization.pk
        keep_prefetched(organization, "relations_from", outgoing[pk])
        keep_prefetched(organization, "relations_to", incoming[pk])
        organization.relation_counts = (
            counts["from"][pk] if most is not None else len(outgoing[pk]),
            counts["to"][pk] if most is not None else len(incoming[pk]),
        )


def attach_roles(organizations: list, public: bool = True, most: int | None = None) -> None:
    """The roles in the organizations, with their people, in one query, kept as each one's
    prefetched ``roles`` in the roles' own order (``Role.Meta.ordering``), and how many each
    has in all as its ``role_count``. With ``most``, each keeps no more than that many, the
    first in that order.

    Every role is read, then cut: even a hub has a few score (the 100x hub, 70), and keeping
    the first of each organization's in the query (a window's row number, filtered) cost
    every API record and list 2.5 ms more to build and plan than reading them all. With
    ``public``, only roles the public may see."""
    kept: dict[int, list] = {organization.pk: [] for organization in organizations}
    # Those asked (``with_presence``) and found to have none are not looked for.
    ids = [organization.pk for organization in organizations if present(organization, "roles")]
    if ids:
        rows = Role.objects.visible(public).filter(organization_id__in=ids)
        # In the roles' own order, each one's.
        for role in rows.select_related("person").without_timestamps("person"):
            kept[role.organization_id].append(role)
    for organization in organizations:
        roles = kept[organization.pk]
        keep_prefetched(organization, "roles", roles if most is None else roles[:most])
        organization.role_count = len(roles)


def attach_names(organizations: list, public: bool = True) -> None:
    """The names of the organizations and of every organization at the other end of their
    kept relations (each relation holds its own copy of it), in one query, kept as each
    one's prefetched ``names``. With ``public``, only names the public may see."""
    copies: dict[int, list] = collections.defaultdict(list)
    for organization in organizations:
        copies[organization.pk].append(organization)
        for relation in (*organization.relations_from.all(), *organization.relations_to.all()):
            for end in (relation.subject, relation.object):
                if end.pk != organization.pk:
                    copies[end.pk].append(end)
    names: dict[int, list] = collections.defaultdict(list)
    rows = prefetch_queryset("names", OrganizationName, public=public)
    for name in rows.filter(organization_id__in=copies):
        names[name.organization_id].append(name)
    for pk, instances in copies.items():
        for instance in instances:
            keep_prefetched(instance, "names", names[pk])


class Organization(Cited):
    """A party, movement, public organization, society, club, bloc or state body.

    One body is one record however often it was renamed (see its names); a body transformed
    into or formed on the basis of another is a record of its own, linked by a relation.
    """

    class Kind(models.TextChoices):
        PARTY = "party", "Political party"
        MOVEMENT = "movement", "Movement"
        PUBLIC_ORGANIZATION = "public_organization", "Public organization"
        SOCIETY = "society", "Society"
        CLUB = "club", "Club"
        COMMITTEE = "committee", "Committee"
        UNION = "union", "Union"
        ASSOCIATION = "association", "Association"
        BLOC = "bloc", "Bloc or alliance"
        TRADE_UNION = "trade_union", "Trade union"
        STATE_BODY = "state_body", "State body"
        FOREIGN_BODY = "foreign_body", "Foreign or international body"
        OTHER = "other", "Other"

    CITED_FIELDS = (
        "founded",
        "dissolved",
        "founding_place",
        "aims",
        "ideology",
        "social_base",
        "summary",
        "partyfacts_id",
        "wikidata_id",
    )
    # What no list selects, filters or orders organizations by (kzpolitics.core.dependencies):
    # a change of these alone purges the responses that show the organization, not every list
    # of organizations.
    DESCRIPTIVE_FIELDS = ("aims", "ideology", "social_base", "summary", "public_note", "note")

    slug = models.SlugField(
        max_length=160, unique=True, help_text="Stable URL name; never change it."
    )
    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    name = models.CharField(
        max_length=300, help_text="The name the site shows: its best-known full name."
    )
    name_key = SearchKeyField(source="name")
    founded = UncertainDate("Founded")
    dissolved = UncertainDate("Dissolved")
    founding_place = models.ForeignKey(
        Place,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organizations_founded",
        help_text="Where it was founded.",
    )
    aims = models.TextField(
        blank=True, help_text="Its declared aims (cite them).", validators=[CEILING]
    )
    ideology = models.TextField(
        blank=True, help_text="Ideology or orientation (cite it).", validators=[CEILING]
    )
    social_base = models.TextField(
        blank=True,
        help_text="Social or ethnic base: who its members were (cite it).",
        validators=[CEILING],
    )
    summary = models.TextField(
        blank=True, help_text="One or two sentences on it (cite them).", validators=[CEILING]
    )
    partyfacts_id = models.PositiveIntegerField(
        "Party Facts ID",
        null=True,
        blank=True,
        unique=True,
        help_text=(
            "The party's number in Party Facts (partyfacts.herokuapp.com), where names, "
            "years and lineage agree; cite the Party Facts row."
        ),
    )
    wikidata_id = models.CharField(
        "Wikidata ID",
        max_length=20,
        blank=True,
        db_index=True,
        validators=[
            RegexValidator(
                r"^Q[1-9][0-9]*$", "A Wikidata item's ID: Q and a number, e.g. Q1186246."
            )
        ],
        help_text="Its Wikidata item (Q and a number), where it is the same body; cite it.",
    )
    public_note = public_note_field()
    note = internal_note_field()
    events = models.ManyToManyField(Event, blank=True, related_name="organizations")
    _history_m2m_fields = ("events",)  # in each version: diffs, reverts, restores include them

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ("name", "id")
        indexes = [
            # Lists page through organizations by name: with it a page of 50 reads 50 rows, not
            # all of them for a sort (8.8 ms at a hundred times the article's data).
            models.Index(fields=("name", "id"), name="org_name_order_idx"),
            UncertainDate.order_index("founded", "org_founded_timeline_idx", only_dated=True),
            UncertainDate.order_index("dissolved", "org_dissolved_timeline_idx", only_dated=True),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_path("parties:organization-detail", self.slug)

    @property
    def lifespan(self) -> lifespans.Lifespan:
        """When it came into being and ended: its own dates, or bounds derived from the
        published rows that date it, with that evidence. Kept by
        ``Organization.objects.with_lifespans()`` for the records it fetched; read here (two
        queries) for a record fetched otherwise."""
        kept = self.__dict__.get("_lifespan")
        if kept is None and self.pk is None:
            return lifespans.Lifespan(lifespans.Bounds(), lifespans.Bounds())
        if kept is None:
            kept = type(self).objects.filter(pk=self.pk).with_lifespans().get().lifespan
            self.keep_lifespan(kept)
        return kept

    def keep_lifespan(self, lifespan: lifespans.Lifespan) -> None:
        self._lifespan = lifespan

    def names_in_date_order(self) -> list:
        """Its names as the view fetched them (published ones, or drafts too in an editor's
        preview), oldest first (``name_date_order``)."""
        return sorted(self.names.all(), key=name_date_order)

    def name_on(self, when) -> str:
        """The name it bore on ``when`` (a day or an uncertain date): “Republican Party of
        Kazakhstan” in 1991, “Alash Party” when denied re-registration. Reads its published
        names, prefetched where the caller did so (``published_prefetch("names", ...)``)."""
        kinds = (OrganizationName.Kind.OFFICIAL, OrganizationName.Kind.FORMER)
        names = [n for n in self.names.all() if n.status == Status.PUBLISHED]
        return name_in_use(names, when, kinds, self.name)


class OrganizationName(NameInUse):
    """A name an organization bore, with its kind and the period it was in use."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", "Official"
        SHORT = "short", "Short"
        TRANSLATION = "translation", "Translation"
        VARIANT = "variant", "Variant spelling"
        FORMER = "former", "Former"
        NICKNAME = "nickname", "Nickname"

    PARENT = "organization"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OFFICIAL)

    class Meta:
        ordering = ("organization", F("start_earliest").asc(nulls_first=True), "name", "id")
        indexes = [UncertainDate.order_index("start", "orgname_timeline_idx", only_dated=True)]

    def get_absolute_url(self) -> str:
        return self.organization.get_absolute_url()


class Stance(Cited):
    """An organization's stance towards the president in a period."""

    class Kind(models.TextChoices):
        PRO_PRESIDENTIAL = "pro_presidential", "Pro-presidential"
        CONSTRUCTIVE_OPPOSITION = "constructive_opposition", "Constructive opposition"
        MODERATE_OPPOSITION = "moderate_opposition", "Moderate opposition"
        OPPOSITION = "opposition", "Opposition"

    PARENT = "organization"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="stances")
    stance = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    wording = models.CharField(
        max_length=300, blank=True, help_text="The source's words, e.g. “strictly oppositional”."
    )
    start = UncertainDate("From")
    end = UncertainDate("Until")

    class Meta:
        ordering = ("organization", F("start_earliest").asc(nulls_first=True), "id")

    def __str__(self) -> str:
        return f"{self.organization}: {self.get_stance_display()}"

    def get_absolute_url(self) -> str:
        return self.organization.get_absolute_url()


class MembershipFigure(Cited):
    """A membership figure as the source gives it (“between 80 and 200”), with its date."""

    PARENT = "organization"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="membership_figures"
    )
    wording = models.CharField(
        max_length=300, help_text="The figure as worded, e.g. “about 47,000”, “over 48,000”."
    )
    low = models.PositiveIntegerField(null=True, blank=True, help_text="Lowest number meant.")
    high = models.PositiveIntegerField(
        null=True, blank=True, help_text="Highest number meant; empty for “over N”."
    )
    regional_organizations = models.PositiveIntegerField(
        null=True, blank=True, help_text="Number of regional organizations, where given."
    )
    date = UncertainDate("As of")

    class Meta:
        ordering = ("organization", F("date_earliest").asc(nulls_first=True), "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(low__isnull=True) | Q(high__isnull=True) | Q(low__lte=F("high")),
                name="membership_low_not_above_high",
                violation_error_message="The lowest figure cannot exceed the highest.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.wording}"

    def get_absolute_url(self) -> str:
        return self.organization.get_absolute_url()


class RoleQuerySet(CitedQuerySet):
    LEADING = ("leader", "chair", "co_chair")

    def leading(self):
        return self.filter(kind__in=self.LEADING)


def leaders_and_others(roles) -> tuple[list, list]:
    """``roles`` (fetched rows) split into those that lead (``RoleQuerySet.LEADING``) and the
    rest, each in the order given."""
    leaders, others = [], []
    for role in roles:
        (leaders if role.kind in RoleQuerySet.LEADING else others).append(role)
    return leaders, others


class Role(Cited):
    """A position a person held: in an organization (chairman, co-chairman), or an office."""

    class Kind(models.TextChoices):
        LEADER = "leader", "Leader"
        CHAIR = "chair", "Chair"
        CO_CHAIR = "co_chair", "Co-chair"
        DEPUTY = "deputy", "Deputy"
        MEMBER = "member", "Member"
        FOUNDER = "founder", "Founder"
        OFFICE = "office", "Office"
        OTHER = "other", "Other"

    PARENT = "person"
    # A role in an organization the public may not see is not shown (not as an office).
    PUBLIC_WITH = ("organization",)

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="roles",
        help_text="Empty for an office outside any recorded organization.",
    )
    title = models.CharField(max_length=300, help_text="As the source words it, e.g. “chairman”.")
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    start = UncertainDate("From")
    end = UncertainDate("Until")
    public_note = public_note_field()
    note = internal_note_field()

    objects = RoleQuerySet.as_manager()

    class Meta:
        ordering = ("person", F("start_earliest").asc(nulls_first=True), "id")

    def __str__(self) -> str:
        where = f", {self.organization}" if self.organization_id else ""
        return f"{self.person}: {self.title}{where}"

    def get_absolute_url(self) -> str:
        """The person's page, at their roles: an office outside any organization has no
        other page."""
        return f"{self.person.get_absolute_url()}#roles"


class Relation(Cited):
    """A typed, dated link from one organization to another (split from, based on, ...)."""

    class Kind(models.TextChoices):
        SPLIT_FROM = "split_from", "Split from"
        MERGED_INTO = "merged_into", "Joined / merged into"
        BASED_ON = "based_on", "Based on"
        RENAMED_TO = "renamed_to", "Renamed to"
        FOUNDED_BY = "founded_by", "Founded by"
        MEMBER_OF = "member_of", "Member of"
        BRANCH_OF = "branch_of", "Branch of"
        SET_UP_TO_COUNTER = "set_up_to_counter", "Set up to counter"

    PARENT = "subject"

    subject = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="relations_from"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    object = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="relations_to")
    date = UncertainDate("Date")
    end = UncertainDate("Until", help_text="When the link ended, e.g. leaving a bloc.")
    public_note = public_note_field()
    note = internal_note_field()

    # The order its API lists give relations in, each to the end (two organizations may share
    # a name): an organization's record gives the first of them (``attach_relations``).
    LISTED = ("subject", "kind", "object", "pk")

    class Meta:
        ordering = ("subject", "kind", "object")
        constraints = [
            models.CheckConstraint(
                condition=~Q(subject=F("object")),
                name="relation_not_to_itself",
                violation_error_message="An organization cannot be related to itself.",
            ),
            models.UniqueConstraint(fields=("subject", "kind", "object"), name="relation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.get_kind_display().lower()} {self.object}"

    def get_absolute_url(self) -> str:
        """The subject's page, at its lineage (where it lists the relations it is the
        subject of)."""
        return f"{self.subject.get_absolute_url()}#lineage"
