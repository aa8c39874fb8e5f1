from django.core.management.base import BaseCommand, CommandError

from stories import services


class Command(BaseCommand):
    help = (
        "Make the sized WebP posters (stories/renditions.py) of shown stories that have none: "
        "stories processed before renditions existed, or whose renditions task was lost. Their "
        "pages show the full poster until then. Safe to run again and while the site runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=0, help="At most this many stories (default: all of them)."
        )

    def handle(self, *args, **options):
        if options["limit"] < 0:
            raise CommandError("--limit must be 0 or more.")
        pending = services.stories_without_renditions()
        if options["limit"]:
            pending = pending[: options["limit"]]
        made = failed = 0
        for story in pending.iterator(chunk_size=100):
            try:
                widths = services.story_renditions_make(story=story)
            except Exception as exc:  # one unreadable poster must not stop the backfill
                failed += 1
                self.stderr.write(f"{story.pk}: {exc}")
                continue
            made += bool(widths)
        self.stdout.write(
            self.style.SUCCESS(f"Renditions made for {made} stories; {failed} could not be made.")
        )
