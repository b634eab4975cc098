from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from vigil.accounts.views import home
from vigil.accounts.views_conflicts import conflict_list
from vigil.accounts.views_login import two_factor_enrol, two_factor_verify
from vigil.intake.api import api as intake_api

urlpatterns = [
    path("", home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, extra_context={"sso_enabled": settings.VIGIL_OIDC_ENABLED}
        ),
        name="login",
    ),
    path("login/two-factor/", two_factor_verify, name="two_factor_verify"),
    path("login/two-factor/enrol/", two_factor_enrol, name="two_factor_enrol"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/conflicts/", conflict_list, name="conflicts"),
    path("people/", include("vigil.people.urls")),
    path("allegations/", include("vigil.allegations.urls")),
    path("links/", include("vigil.linkage.urls")),
    path("review/", include("vigil.reviews.urls")),
    path("audit/", include("vigil.audit.urls")),
    path("hotline/", include("vigil.intake.urls")),
    path("oversight/", include("vigil.oversight.urls")),
    path("api/v1/", include("vigil.api_urls")),
    # The intake API (another organisation's system, token-authenticated) and its OpenAPI document.
    path("api/", intake_api.urls),
    path("admin/", admin.site.urls),
]

if settings.VIGIL_OIDC_ENABLED:
    # Single sign-on: /oidc/authenticate/ (to the provider), /oidc/callback/ (back), /oidc/logout/.
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
