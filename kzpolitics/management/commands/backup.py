from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kzpolitics.site.backups import BackupError, figures, write_backup


class Command(BaseCommand):
    help = (
        "Write a complete backup: every record, citation and history row, the data version, "
        "and the user accounts, groups and API tokens, as gzipped JSON (Django's "
        "serialization format). `manage.py restore FILE` loads it into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="PATH",
            help="Where to write it (default: backups/kzpolitics-YYYYMMDD-HHMMSS.json.gz, UTC).",
        )

    def handle(self, *args, output=None, **options):
        if output:
            path = Path(output)
        else:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            path = Path(settings.BASE_DIR) / "backups" / f"kzpolitics-{stamp}.json.gz"
        try:
            counts = write_backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = path.stat().st_size
        self.stdout.write(f"Wrote {path} ({size / 1024:.0f} KiB):")
        for line in figures(counts):
            self.stdout.write(line)
