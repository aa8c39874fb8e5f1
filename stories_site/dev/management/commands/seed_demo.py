from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from stories_site.dev import demo


class Command(BaseCommand):
    help = "Create demo people, sounds and live stories (idempotent; expired demo stories are made again)."

    def add_arguments(self, parser):
        parser.add_argument("--no-admin", action="store_true", help="Do not create the local admin account.")

    def handle(self, *args, **options):
        demo.seed(log=self.stdout.write)
        User = get_user_model()
        if settings.DEBUG and not options["no_admin"] and not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", password=demo.ADMIN_PASSWORD)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Log in as any of these (password: {demo.DEMO_PASSWORD}):"))
        self.stdout.write("  " + ", ".join(person.username for person in demo.PEOPLE))
        if settings.DEBUG and User.objects.filter(username="admin").exists():
            self.stdout.write(f"Admin (/admin/): admin / {demo.ADMIN_PASSWORD}  (local demo only)")
