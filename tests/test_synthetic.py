"""seed_synthetic: synthetic data shaped like the article's, fully cited, reproducible and
removable, that the site's pages and API serve like real data."""

import io
import sys
from collections import Counter

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from kzpolitics.core import dates
from kzpolitics.core.coverage import cited_models, coverage, totals
from kzpolitics.core.models import DataVersion, Status, content_apps
from scripts import synthetic

pytestmark = pytest.mark.django_db

CONTENT_APPS = tuple(config.label for config in content_apps())
CITATION = "kzpolitics.Citation"


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_synthetic", *args, stdout=out)
    return out.getvalue()


def model(label):
    return apps.get_model(label)


def article_rows(label):
    """The rows that are not synthetic: the article's."""
    if label == CITATION:
        return model(label)._base_manager.exclude(pk__in=synthetic.synthetic_rows(label))
    return model(label)._base_manager.exclude(synthetic.synthetic_q(label))


def snapshot() -> dict:
    """Every row of every content table, history and many-to-many links included, but the
    data version (which every change moves on)."""
    tables = {}
    for label in CONTENT_APPS:
        for cls in apps.get_app_config(label).get_models(include_auto_created=True):
            if cls._meta.model_name == "dataversion":
                continue
            tables[cls._meta.label] = list(cls._base_manager.order_by("pk").values_list())
    return tables


# The periods are the article's framing of its story (four of them), not records that grow
# with the data: the benchmark's pages show the article's periods at every scale.
NOT_GENERATED = {"kzpolitics.Period"}


def test_every_kind_of_record_is_generated():
    labels = set(synthetic.LABELS)
    assert {m._meta.label for m in cited_models()} - NOT_GENERATED <= labels
    assert not NOT_GENERATED & labels
    assert {"kzpolitics.Source", CITATION} <= labels


def test_scale_one_adds_as_many_rows_of_each_kind_as_the_article_has_in_its_proportions():
    article = {label: article_rows(label).count() for label in synthetic.LABELS}
    assert all(article.values())

    output = seed("--scale", "1")

    added = synthetic.synthetic_counts()
    for label in synthetic.LABELS:
        if label == CITATION:  # one or more per record and filled field, as in the article
            assert 0.9 * article[label] <= added[label] <= 1.15 * article[label]
        else:
            assert added[label] == article[label], label
    for link in synthetic.LINKS:
        assert added[synthetic.link_label(*link)] > 0
    for label, name in (
        ("parties.Organization", "kind"),
        ("parties.OrganizationName", "kind"),
        ("parties.Stance", "stance"),
        ("parties.Role", "kind"),
        ("kzpolitics.Place", "kind"),
        ("kzpolitics.Event", "kind"),
        ("elections.Election", "kind"),
        ("legislation.LegalAct", "jurisdiction"),
        ("legislation.LegalAct", "kind"),
        ("legislation.Provision", "requirement_kind"),
        ("legislation.RegistrationDecision", "decision"),
        ("kzpolitics.Source", "kind"),
    ):
        mine = Counter(synthetic.synthetic_rows(label).values_list(name, flat=True))
        theirs = Counter(article_rows(label).values_list(name, flat=True))
        assert mine == theirs, (label, name)
    assert "parties.Organization" in output and "s." in output  # rows per model, time taken


def test_rows_hold_what_save_would_have_stored():
    seed("--scale", "1")

    for label in synthetic.LABELS:
        rows = synthetic.synthetic_rows(label)
        assert set(rows.values_list("status", flat=True)) == {Status.PUBLISHED}, label
        assert set(rows.values_list("version", flat=True)) == {1}, label
        assert not rows.filter(created_at__isnull=True).exists(), label
        for declared in dates.uncertain_dates(model(label)):
            text, edtf, earliest, latest = declared.column_names
            for value, low, high in set(rows.values_list(edtf, earliest, latest)):
                assert (low, high) == dates.bounds(value), (label, value)
            assert not rows.filter(**{edtf: ""}).exclude(**{text: ""}).exists(), label
    citations = synthetic.synthetic_rows(CITATION)
    assert set(citations.values_list("record_published", flat=True)) == {True}
    assert not citations.exclude(source__slug__startswith=synthetic.PREFIX).exists()

    # Saving a synthetic record changes nothing but its version.
    organization = model("parties.Organization").objects.get(slug=synthetic.HUB_SLUG)
    stored = model("parties.Organization")._base_manager.filter(pk=organization.pk)
    before = stored.values().get()
    organization.save()
    after = stored.values().get()
    assert after["version"] == 2
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"version", "updated_at"}


def test_every_synthetic_record_and_filled_fact_is_cited():
    seed("--scale", "1")

    total = totals(coverage())
    assert (total.records_percent, total.fields_percent) == (100.0, 100.0)
    assert not total.gaps


def test_a_second_run_refuses_and_changes_nothing():
    seed("--scale", "1")
    before = synthetic.synthetic_counts()

    with pytest.raises(CommandError, match="already holds synthetic data.*--replace"):
        seed("--scale", "1")

    assert synthetic.synthetic_counts() == before


def test_remove_leaves_exactly_the_article_data_and_no_history():
    before = snapshot()
    version = DataVersion.current()

    seed("--scale", "1")
    assert DataVersion.current() != version
    for cls in apps.get_models():
        if cls._meta.label.split(".")[1].startswith("Historical"):  # no history rows added
            assert cls._base_manager.count() == len(before[cls._meta.label]), cls
    version = DataVersion.current()
    output = seed("--remove")

    assert "synthetic rows removed" in output
    assert snapshot() == before
    assert not any(synthetic.synthetic_counts().values())
    assert DataVersion.current() != version
    assert "No synthetic data" in seed("--remove")


def test_the_same_seed_gives_the_same_rows_and_another_seed_others():
    seed("--scale", "1")
    first = synthetic.fingerprint()

    seed("--scale", "1", "--replace")  # fresh rows, fresh ids, same values
    assert synthetic.fingerprint() == first
    assert seed("--fingerprint").strip() == first

    seed("--scale", "1", "--replace", "--seed", "2")
    assert synthetic.fingerprint() != first


def test_a_hub_organization_collects_many_relations_and_citations():
    seed("--scale", "1")
    organization = model("parties.Organization")
    hub = organization.objects.get(slug=synthetic.HUB_SLUG)
    citation = model(CITATION)

    def links(org):
        return org.relations_from.count() + org.relations_to.count()

    busiest_article_org = max(links(o) for o in article_rows("parties.Organization"))
    assert links(hub) > busiest_article_org
    own = citation.objects.filter(content_type__model="organization", object_id=hub.pk)
    assert own.count() > 10


def test_pages_and_the_api_show_synthetic_records(client):
    output = seed("--scale", "1")
    assert f"/organizations/{synthetic.HUB_SLUG}/" in output

    page = client.get("/organizations/")
    assert page.status_code == 200
    assert synthetic.PREFIX.encode() in page.content

    hub = client.get(f"/organizations/{synthetic.HUB_SLUG}/")
    assert hub.status_code == 200
    related = model("parties.Relation").objects.filter(object__slug=synthetic.HUB_SLUG).first()
    assert related.subject.get_absolute_url().encode() in hub.content

    result = synthetic.synthetic_rows("elections.Result").select_related("election").first()
    election = client.get(result.election.get_absolute_url())
    assert election.status_code == 200
    assert str(result.contestant).replace("'", "&#x27;").encode() in election.content

    variant = synthetic.synthetic_rows("parties.OrganizationName").filter(kind="variant").first()
    found = client.get("/api/v1/organizations/", {"search": variant.name, "page_size": 500})
    assert found.status_code == 200
    assert variant.organization.slug in {o["slug"] for o in found.json()["results"]}


def test_a_variant_spelling_finds_a_synthetic_person(client):
    output = seed("--scale", "1")
    # The stable example, whatever the scale and seed, and any other variant.
    assert f"?search={synthetic.PERSON_VARIANT} finds {synthetic.HUB_PERSON_SLUG}" in output
    people = model("kzpolitics.Person").objects
    assert synthetic.PERSON_VARIANT not in people.get(slug=synthetic.HUB_PERSON_SLUG).name
    other = (
        synthetic.synthetic_rows("kzpolitics.PersonName")
        .filter(kind="variant")
        .exclude(person__slug=synthetic.HUB_PERSON_SLUG)
        .first()
    )
    printed = other.person.name.split()
    other_term = next(word for word in other.name.split() if word not in printed)

    for term, slug in (
        (synthetic.PERSON_VARIANT, synthetic.HUB_PERSON_SLUG),
        (other_term, other.person.slug),
    ):
        found = client.get("/api/v1/people/", {"search": term, "page_size": 500})
        assert found.status_code == 200
        assert slug in {p["slug"] for p in found.json()["results"]}
        page = client.get("/search/", {"q": term})
        assert page.status_code == 200
        assert f"/people/{slug}/".encode() in page.content


def test_the_changes_feed_still_works(client):
    seed("--scale", "1")
    assert client.get("/changes.atom").status_code == 200


@pytest.mark.parametrize("value", ["0", "-1", "abc", "nan", "1001"])
def test_a_bad_scale_is_refused_clearly(value):
    with pytest.raises(CommandError, match="--scale must be a number above 0"):
        seed("--scale", value)
    assert not any(synthetic.synthetic_counts().values())


def test_a_fraction_of_the_article_is_fine():
    seed("--scale", "0.5")
    added = synthetic.synthetic_counts()
    assert added["parties.Organization"] == round(article_rows("parties.Organization").count() / 2)
    total = totals(coverage())
    assert (total.records_percent, total.fields_percent) == (100.0, 100.0)


def test_without_the_generator_the_command_says_where_it_comes_from(monkeypatch):
    # As in an installed copy of the site, which has no scripts/ beside it.
    monkeypatch.setitem(sys.modules, "scripts", None)

    with pytest.raises(CommandError, match="scripts/synthetic/.*checkout"):
        seed("--scale", "1")
