from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from stories import services


class Command(BaseCommand):
    help = (
        "List stored files that no row refers to and that are older than the grace period; with "
        "--delete, remove them. Beat runs it with --delete daily (stories.tasks.reconcile_storage)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete", action="store_true", help="Remove the orphans instead of only listing them."
        )
        parser.add_argument(
            "--grace-hours",
            type=float,
            default=24.0,
            help="Only files older than this many hours (default 24): younger ones may belong to an "
            "upload or an encode whose row is not committed yet.",
        )

    def handle(self, *args, **options):
        if options["grace_hours"] < 0:
            raise CommandError("--grace-hours must be 0 or more.")
        report = services.storage_reconcile(
            delete=options["delete"], grace=timedelta(hours=options["grace_hours"])
        )
        for orphan in report.orphans:
            self.stdout.write(f"{orphan.name}\t{orphan.modified:%Y-%m-%d %H:%M:%S}")
        outcome = f"{report.deleted} deleted" if options["delete"] else "pass --delete to remove them"
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.listed} stored files, {len(report.orphans)} orphaned and older than "
                f"{options['grace_hours']:g} h: {outcome}."
            )
        )
