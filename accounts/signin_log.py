"""The sign-in log: every success, failure and lockout, on the `watchlist.signin` logger.

Each record carries `user`, `client_address`, `path` and `request_id` as extra fields (for
a structured formatter) and in its message. Passwords and tokens are never logged: Django
hands the receivers credentials with the password already masked, and only the username
is read from them.
"""

import logging

from axes.handlers.proxy import AxesProxyHandler
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from watchlist.client_address import client_address
from watchlist.observability.request_context import current

logger = logging.getLogger("watchlist.signin")


def request_id():
    """The id of the request being served (watchlist.observability gives every request one,
    the client's X-Request-ID when it is sane); None outside a request."""
    context = current.get()
    return context.request_id if context is not None else None


def log(level, event, request, username):
    fields = {
        "user": username,
        "client_address": client_address(request) if request is not None else None,
        "path": request.path if request is not None else None,
        "request_id": request_id(),
    }
    # %r: a username or header is client input, and must not forge a log line.
    logger.log(
        level,
        "%s: user=%r client_address=%s path=%r request_id=%r",
        event,
        *fields.values(),
        extra=fields,
    )


@receiver(user_logged_in, dispatch_uid="signin-log-success")
def signed_in(sender, request, user, **kwargs):
    username = user.get_username()
    # A success forgives this user's own failures only: resetting its client address too
    # would let anyone with an account clear the count of their guesses at another one.
    AxesProxyHandler.reset_attempts(username=username)
    log(logging.INFO, "sign-in succeeded", request, username)


@receiver(user_login_failed, dispatch_uid="signin-log-failure")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    if getattr(request, "axes_locked_out", False):
        return  # the lockout receiver logs this attempt
    log(logging.WARNING, "sign-in failed", request, credentials.get("username"))


@receiver(user_locked_out, dispatch_uid="signin-log-lockout")
def locked_out(sender, request, username, **kwargs):
    log(logging.WARNING, "sign-in refused, locked out", request, username)
