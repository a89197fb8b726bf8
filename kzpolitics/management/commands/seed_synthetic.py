import argparse
import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from kzpolitics.core.analyze import analyze
from kzpolitics.core.dependencies import everything_changed
from kzpolitics.core.models import DataVersion

MAX_SCALE = 1000


def synthetic_generator():
    """The generator, scripts/synthetic: a tool of the repository's checkout, which the site's
    package does not ship, so it is imported only when the command runs."""
    try:
        from scripts import synthetic
    except ImportError as error:
        if error.name not in ("scripts", "scripts.synthetic"):
            raise
        raise CommandError(
            "seed_synthetic needs the generator in scripts/synthetic/, which comes with the "
            "repository's checkout, not with the installed package: run manage.py from a "
            "checkout."
        ) from None
    return synthetic


def models_of(labels) -> set:
    """The models of the generator's labels ("parties.Organization", and a link's
    "parties.Organization.members"): the tables it filled or emptied."""
    return {apps.get_model(*label.split(".")[:2]) for label in labels}


def scale_value(text: str) -> float:
    """--scale: a positive number of times the article's size, e.g. 1, 100 or 0.5."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (0 < value <= MAX_SCALE):  # also refuses nan and inf
        raise argparse.ArgumentTypeError(
            f"--scale must be a number above 0 and at most {MAX_SCALE} "
            f"(times the article's size, e.g. 1 or 100), not “{text}”."
        )
    return value


class Command(BaseCommand):
    help = (
        "Add synthetic data shaped like the article's (organizations with their names, "
        "stances, leaders, membership figures and relations; people with spelling variants; "
        "places; elections with rounds and results; acts with provisions and registration "
        "decisions; events; sources) at N times its size, every record and filled fact cited, "
        "for load tests. It is reproducible: the same --scale and --seed on the same data give "
        "the same rows. Every synthetic slug starts with “syn-”; --remove deletes them all. "
        "Rows are bulk-inserted in one transaction, published, with no history rows (the "
        "recent-changes page and feed show the article's history only); the data version is "
        "touched once, and the tables filled are analysed (PostgreSQL's planner statistics)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=scale_value,
            default=1.0,
            metavar="N",
            help="How many times the article's data to add (default 1; fractions allowed).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            help="Random seed (default: the generator's own, the same every run).",
        )
        action = parser.add_mutually_exclusive_group()
        action.add_argument(
            "--replace",
            action="store_true",
            help="Delete the synthetic data already there, then add it afresh.",
        )
        action.add_argument(
            "--remove",
            action="store_true",
            help="Only delete the synthetic rows (slugs starting “syn-”, what belongs to them).",
        )
        action.add_argument(
            "--fingerprint",
            action="store_true",
            help="Only print a hash of the synthetic rows, to compare two seeded databases.",
        )

    def handle(self, *args, scale, seed, replace, remove, fingerprint, **options):
        self.verbosity = options["verbosity"]
        synthetic = synthetic_generator()
        if seed is None:
            seed = synthetic.DEFAULT_SEED
        if fingerprint:
            self.stdout.write(synthetic.fingerprint())
            return
        if not connection.features.can_return_rows_from_bulk_insert:
            raise CommandError(
                "This database cannot return ids from bulk inserts; use PostgreSQL or "
                "SQLite 3.35 or later."
            )
        started = time.perf_counter()
        with transaction.atomic():
            present = {k: n for k, n in synthetic.synthetic_counts().items() if n}
            if remove or replace:
                removed = synthetic.remove() if present else {}
                if remove:
                    if present:
                        DataVersion.touch()
                        everything_changed()  # bulk rows, saved without their signals
                        analyze(models_of(present))  # once the deletion commits
                    self.print_removed(removed, time.perf_counter() - started)
                    return
            elif present:
                organizations = present.get("parties.Organization", 0)
                raise CommandError(
                    f"The database already holds synthetic data ({sum(present.values())} rows, "
                    f"{organizations} of them organizations; slugs start with "
                    f"“{synthetic.PREFIX}”). Run seed_synthetic --replace to seed it afresh, "
                    "or --remove to delete it."
                )
            # What is left now is not synthetic: the article's data, and editors' additions.
            if not synthetic.model("parties.Organization")._base_manager.exists():
                raise CommandError(
                    "The database holds no records to copy the shape of: load the article "
                    "first (manage.py load_article)."
                )
            report = synthetic.seed(scale, seed)
            DataVersion.touch()
            everything_changed()  # bulk rows, saved without their signals
            # Once the rows are committed: the planner's statistics of the tables filled (and
            # emptied, by --replace), without which it plans for the article's few rows.
            analyze(models_of([*report.counts, *present]))
        self.print_report(report, scale, seed, time.perf_counter() - started)

    def print_removed(self, removed: dict[str, int], seconds: float) -> None:
        if not any(removed.values()):
            self.stdout.write("No synthetic data to remove.")
            return
        for label, number in removed.items():
            self.stdout.write(f"{label:36} {number:8}")
        total = sum(removed.values())
        self.stdout.write(self.style.SUCCESS(f"{total} synthetic rows removed in {seconds:.1f} s."))

    def print_report(self, report, scale: float, seed: int, seconds: float) -> None:
        self.stdout.write(f"{'rows added':36} {'added':>8} {'article':>8} {'ratio':>7}")
        for label, number in report.counts.items():
            base = report.article_counts.get(label)
            ratio = f"{number / base:7.2f}" if base else ""
            self.stdout.write(
                f"{label:36} {number:8} {base if base is not None else '':>8} {ratio}"
            )
        total = sum(report.counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"{total} synthetic rows added (scale {scale:g}, seed {seed}) in {seconds:.1f} s."
            )
        )
        if self.verbosity >= 2:
            steps = ", ".join(f"{name} {secs:.1f} s" for name, secs in report.seconds.items())
            self.stdout.write(f"Time per step: {steps}.")
        if report.hub_slug:
            self.stdout.write(f"Biggest hub organization: /organizations/{report.hub_slug}/")
        if report.busiest_source:
            self.stdout.write(f"Most cited synthetic source: /sources/{report.busiest_source}/")
        if report.person_variant:
            term, slug = report.person_variant
            self.stdout.write(f"Variant spelling of a person: ?search={term} finds {slug}")
        if report.organization_variant:
            term, slug = report.organization_variant
            self.stdout.write(f"Variant name of an organization: ?search={term} finds {slug}")
