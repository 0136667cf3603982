"""The answer to a sign-in attempt refused by the lockout; django-axes calls `lockout_response`.

A sign-in page (the admin's, the browsable API's) comes back with the reason in place of
its usual error, anything else (the token endpoint, routes added later) answers JSON; both
are 429 with `Retry-After`, the seconds until the lockout ends.
"""

import math

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import status


def lockout_response(request, original_response=None, credentials=None):
    wait = seconds_until_unlocked(request, credentials)
    message = _(
        "Too many failed sign-in attempts for this account or from this address: "
        "try again in %(wait)s."
    ) % {"wait": in_words(wait)}
    form = sign_in_form(original_response)
    if form is not None:
        form.errors.clear()
        form.add_error(None, message)
        original_response.content = original_response.rendered_content
        response = original_response
    else:
        response = JsonResponse({"detail": message})
    response.status_code = status.HTTP_429_TOO_MANY_REQUESTS
    response["Retry-After"] = str(wait)
    return response


def sign_in_form(response):
    if isinstance(response, TemplateResponse):
        return (response.context_data or {}).get("form")
    return None


def seconds_until_unlocked(request, credentials=None):
    """When the last lockout that applies to this request ends, in whole seconds from now.

    Each lockout parameter (the username, the client address) counts the failures of its
    recent attempts; a lockout ends when its newest attempts that reach the limit age out.
    """
    cool_off = get_cool_off(request)
    limit = get_failure_limit(request, credentials)
    now = timezone.now()
    ends = now
    for attempts in AxesProxyHandler.get_implementation().get_user_attempts(request, credentials):
        failures = 0
        newest_first = attempts.order_by("-attempt_time").values_list(
            "attempt_time", "failures_since_start"
        )
        for attempt_time, count in newest_first:
            failures += count
            if failures >= limit:
                ends = max(ends, attempt_time + cool_off)
                break
    return max(1, math.ceil((ends - now).total_seconds()))


def in_words(seconds):
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
