import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Create an editor: a staff account in the Editors group, able to keep records in the "
        "admin but not to manage users; with --reviewer, in the Reviewers group, who also "
        "publish. The password is asked for, or read from EDITOR_PASSWORD."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--reviewer", action="store_true", help="A reviewer, who may also publish records."
        )

    def handle(self, *args, username, email, reviewer=False, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named “{username}” already exists.")
        try:
            group = Group.objects.get(name="Reviewers" if reviewer else "Editors")
        except Group.DoesNotExist as exc:
            raise CommandError("The groups are missing: run `manage.py migrate`.") from exc
        password = os.environ.get("EDITOR_PASSWORD") or self.ask_password()
        user = User(username=username, email=email, is_staff=True)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        user.set_password(password)
        user.save()
        user.groups.add(group)
        role = "Reviewer" if reviewer else "Editor"
        self.stdout.write(self.style.SUCCESS(f"{role} “{username}” created."))

    def ask_password(self) -> str:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ.")
        return first
