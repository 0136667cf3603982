"""Django REST framework's internals used for speed (pinned by watchlist/tests/test_internals.py).

The early answers to anonymous reads (movies.early_reads) skip DRF's dispatch, which costs
more than the read itself, and answer with what the viewset would: its renderer (a public
attribute) and the headers DRF adds to each of its answers. For those:

- `ViewSetMixin.as_view()`'s view function: its `cls`, `initkwargs` and `actions`
  attributes (set for introspection; DRF's schema generators read them too), and the way
  it sets up a viewset instance for a request (`action_map`, a handler bound to each
  method). `viewset_for` makes such an instance once per view, without a request: no public
  API returns the instance that the view function builds.
- `APIView.default_response_headers`: the headers (`Allow`, `Vary`) that DRF's
  `finalize_response()` sets on every answer of a view (`response_headers`), and that a
  viewset extends to add `Vary` names once per view (`VaryAlso`) rather than patch them
  into each answer (Django's `patch_vary_headers` costs as much as the early answer's other
  middleware together). No public API gives these headers without a response to finalize.
- `Request._request`: the Django request a DRF request wraps (`django_request`), for code
  that marks the request for a middleware to read (django-axes' lockout): attributes set
  on DRF's request stay on the wrapper.
"""


def viewset_for(view_function):
    """An instance of the viewset behind `view_function` (what `as_view()` returned), set
    up as DRF sets one up to serve a request, but for the request itself."""
    view = view_function.cls(**view_function.initkwargs)
    actions = dict(view_function.actions)
    if "get" in actions and "head" not in actions:
        actions["head"] = actions["get"]
    view.action_map = actions
    for method, action in actions.items():
        setattr(view, method, getattr(view, action))
    return view


def response_headers(view):
    """The headers DRF's `finalize_response()` gives each answer of `view`."""
    return dict(view.default_response_headers)


class VaryAlso:
    """A viewset mixin: each answer's `Vary` names `vary_also` too, after DRF's own."""

    vary_also = ()

    @property
    def default_response_headers(self):
        headers = super().default_response_headers
        if self.vary_also:
            also = ", ".join(self.vary_also)
            vary = headers.get("Vary")
            headers["Vary"] = f"{vary}, {also}" if vary else also
        return headers


def django_request(request):
    """The Django request that DRF's `request` wraps."""
    return request._request
