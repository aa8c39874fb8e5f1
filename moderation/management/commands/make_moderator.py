from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from moderation import services


class Command(BaseCommand):
    help = "Make a person a moderator: staff, in the Moderators group (never a superuser)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        person = User.objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"No account called {username!r}.")
        changed = services.moderator_add(person=person)
        self.stdout.write(f"@{person.username} {'is now' if changed else 'was already'} a moderator.")
