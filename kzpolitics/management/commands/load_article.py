from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kzpolitics.core.analyze import analyze
from kzpolitics.core.models import Source
from kzpolitics.site.article_loader import LoadError, load_article


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Load the founding article's data from fixtures/*.yaml (all or nothing). Records are "
        "matched by slug and reset to the fixtures' content."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Validate the fixtures, then roll back."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the database already holds sources (keeps editors' changes).",
        )

    def handle(self, *args, check=False, if_empty=False, **options):
        if if_empty and Source.objects.exists():
            self.stdout.write("The database already holds data; nothing loaded.")
            return
        article = settings.ARTICLE_PATH
        if article is None or not article.is_file():
            where = f"is not at {article}" if article else "is not given"
            self.stdout.write(
                f"The article's text {where} (ARTICLE_PATH): the data is loaded from fixtures/ "
                "as it is, and its quotes are not checked against it."
            )
        try:
            with transaction.atomic():
                counts = load_article()
                if check:
                    raise Rollback
                # Once committed: every table it wrote (records, links, history), analysed.
                analyze()
        except Rollback:
            pass
        except LoadError as exc:
            for problem in exc.problems:
                self.stderr.write(f"- {problem}")
            raise CommandError(f"{len(exc.problems)} problem(s); nothing was loaded.") from exc
        for label, number in sorted(counts.items()):
            self.stdout.write(f"{label:32} {number:5}")
        verb = "checked (rolled back)" if check else "loaded"
        self.stdout.write(self.style.SUCCESS(f"{sum(counts.values())} rows {verb}."))
