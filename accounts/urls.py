"""Token routes, mounted at /api/auth/ by the project beside the browsable API's login."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("token/", views.ObtainTokenView.as_view(), name="api-token"),
    path("token/revoke/", views.RevokeTokenView.as_view(), name="api-token-revoke"),
    path("token/revoke-all/", views.RevokeAllTokensView.as_view(), name="api-token-revoke-all"),
]
