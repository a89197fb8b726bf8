from django.core.management.base import BaseCommand, CommandError

from kzpolitics.core.coverage import coverage, totals


class Command(BaseCommand):
    help = (
        "Print how much of the data is cited: records with a citation, and filled factual "
        "fields with a citation naming them, per kind of record and in total."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--list", action="store_true", help="Also list every record with a gap."
        )
        parser.add_argument(
            "--fail-under",
            type=float,
            default=None,
            metavar="PERCENT",
            help="Exit with an error if either figure is below this percentage.",
        )

    def handle(self, *args, list=False, fail_under=None, **options):
        report = coverage()
        total = totals(report)
        header = f"{'records':34} {'cited':>13} {'%':>6} {'filled fields':>15} {'%':>6}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for row in [*report, total]:
            label = "TOTAL" if row is total else row.model._meta.label
            self.stdout.write(
                f"{label:34} {row.cited_records:>5} / {row.records:<5} {row.records_percent:>6}"
                f" {row.cited_fields:>6} / {row.filled_fields:<6} {row.fields_percent:>6}"
            )
        self.stdout.write(
            f"\nRecords cited: {total.records_percent}% ({total.cited_records} of "
            f"{total.records}). Filled factual fields cited: {total.fields_percent}% "
            f"({total.cited_fields} of {total.filled_fields})."
        )
        if list:
            for gap in total.gaps:
                needs = ["the record"] if gap.uncited_record else []
                needs += gap.uncited_fields
                self.stdout.write(
                    f"- {gap.obj._meta.label} {gap.obj.pk} {gap.obj}: {', '.join(needs)}"
                )
        if fail_under is not None and min(total.records_percent, total.fields_percent) < fail_under:
            raise CommandError(f"Citation coverage is below {fail_under}%.")
