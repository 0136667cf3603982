from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.tokens import delete_expired_tokens, revoke_all_tokens, revoke_token


class Command(BaseCommand):
    help = (
        "Revoke API tokens: every token of USERNAME, one token given with --token, "
        "or (--expired) delete every expired token."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("username", nargs="?", help="revoke all of this user's tokens")
        which.add_argument("--token", help="revoke this one token (as the client sends it)")
        which.add_argument("--expired", action="store_true", help="delete expired tokens")

    def handle(self, *args, username=None, token=None, expired=False, **options):
        if expired:
            count = delete_expired_tokens()
        elif token:
            count = revoke_token(token)
            if not count:
                raise CommandError("No such token (already revoked or expired and deleted?).")
        else:
            count = revoke_all_tokens(self.user(username))
        self.stdout.write(f"{count} token(s) revoked.")

    def user(self, username):
        user_model = get_user_model()
        try:
            return user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
