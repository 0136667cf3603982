"""API tokens over HTTP: get one with a username and password, revoke one or all."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from knox import views as knox_views
from rest_framework.permissions import AllowAny

from accounts.authentication import HashedTokenAuthentication, SessionCookieAuthentication
from accounts.serializers import CredentialsSerializer, IssuedTokenSerializer
from accounts.tokens import issue_token
from watchlist.internals.rest_framework import django_request
from watchlist.throttles import TokenRateThrottle


@extend_schema_view(
    post=extend_schema(
        operation_id="get_token",
        summary="Get an API token",
        request=CredentialsSerializer,
        responses={200: IssuedTokenSerializer},
    )
)
class ObtainTokenView(knox_views.LoginView):
    """Exchange a username and password for a new API token, shown only in this answer.

    Send it as `Authorization: Token <token>`. It stops working at `expiry`, or when it is
    revoked. Each call makes a new token. Repeated wrong passwords for one username, or from
    one address, lock both out for a while (429 with `Retry-After`).
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenRateThrottle]

    def post(self, request, format=None):
        # Django's request, not DRF's wrapper: the lockout marks the request it is given,
        # and its middleware reads the mark from Django's.
        context = {"request": django_request(request)}
        serializer = CredentialsSerializer(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        request.user = serializer.validated_data["user"]
        return super().post(request, format=format)

    def create_token(self):
        return issue_token(self.request.user)


@extend_schema_view(
    post=extend_schema(
        operation_id="revoke_token",
        summary="Revoke this token",
        request=None,
        responses={204: None},
    )
)
class RevokeTokenView(knox_views.LogoutView):
    """Revoke the token this request is signed with: it stops working at once."""

    authentication_classes = [HashedTokenAuthentication]


@extend_schema_view(
    post=extend_schema(
        operation_id="revoke_all_tokens",
        summary="Revoke all of your tokens",
        request=None,
        responses={204: None},
    )
)
class RevokeAllTokensView(knox_views.LogoutAllView):
    """Revoke every token of the signed-in user (a token, or a browser session)."""

    authentication_classes = [HashedTokenAuthentication, SessionCookieAuthentication]
