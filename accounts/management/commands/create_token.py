from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.tokens import issue_token


class Command(BaseCommand):
    help = (
        "Make a new API token for a user and print it: it is shown only this once "
        "(the database keeps its digest). Its expiry goes to stderr."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
        auth_token, token = issue_token(user)
        self.stdout.write(token)
        expiry = auth_token.expiry.isoformat() if auth_token.expiry else "never"
        self.stderr.write(f"Expires: {expiry}")
