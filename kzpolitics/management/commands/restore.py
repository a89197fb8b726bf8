from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kzpolitics.core.analyze import analyze
from kzpolitics.site.backups import BackupError, figures, read_backup, restore_backup


class Command(BaseCommand):
    help = (
        "Load a backup written by `manage.py backup` into an empty, migrated database, all or "
        "nothing. Refuses a database that already holds records, accounts or history."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="The backup (.json.gz or .json).")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            counts = restore_backup(read_backup(path))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        analyze()  # the restore has committed: every table it filled, for the planner
        self.stdout.write(f"Restored {path}:")
        for line in figures(counts):
            self.stdout.write(line)
