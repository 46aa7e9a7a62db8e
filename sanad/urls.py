from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from sanad.accounts import api as accounts_api
from sanad.accounts.forms import LoginForm
from sanad.assistance import api as assistance_api
from sanad.camps import api as camps_api
from sanad.cash import api as cash_api
from sanad.core import api_views as core_api
from sanad.dedup import api as dedup_api
from sanad.distribution import api as distribution_api
from sanad.feedback import api as feedback_api
from sanad.geo import api as geo_api
from sanad.programmes import api as programmes_api
from sanad.registry import api as registry_api
from sanad.registry.cards import api as cards_api
from sanad.registry.imports import api as imports_api
from sanad.reporting import api as reporting_api
from sanad.revitalization import api as revitalization_api
from sanad.shelter import api as shelter_api
from sanad.stock import api as stock_api
from sanad.targeting import api as targeting_api
from sanad.transport import api as transport_api

router = DefaultRouter()
for module in (
    core_api,
    geo_api,
    accounts_api,
    programmes_api,
    registry_api,
    imports_api,
    cards_api,
    assistance_api,
    dedup_api,
    targeting_api,
    stock_api,
    distribution_api,
    cash_api,
    feedback_api,
    camps_api,
    shelter_api,
    transport_api,
    revitalization_api,
    reporting_api,
):
    module.register(router)

admin.site.site_header = "Sanad"
admin.site.site_title = "Sanad"

urlpatterns = [
    path("", include("sanad.web.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/", include("sanad.accounts.urls")),
    path("places/", include("sanad.geo.urls")),
    path("programmes/", include("sanad.programmes.urls")),
    path("registry/", include("sanad.registry.urls")),
    path("assistance/", include("sanad.assistance.urls")),
    path("duplicates/", include("sanad.dedup.urls")),
    path("targeting/", include("sanad.targeting.urls")),
    path("stock/", include("sanad.stock.urls")),
    path("distributions/", include("sanad.distribution.urls")),
    path("cash/", include("sanad.cash.urls")),
    path("feedback/", include("sanad.feedback.urls")),
    path("camps/", include("sanad.camps.urls")),
    path("shelter/", include("sanad.shelter.urls")),
    path("transport/", include("sanad.transport.urls")),
    path("revitalization/", include("sanad.revitalization.urls")),
    path("reporting/", include("sanad.reporting.urls")),
    path("", include("sanad.core.urls")),
    path("api/v1/me/", accounts_api.me, name="api-me"),
    path("api/v1/", include(reporting_api.urlpatterns())),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("django-admin/", admin.site.urls),
]

handler403 = "sanad.web.views.error_403"
handler404 = "sanad.web.views.error_404"
handler500 = "sanad.web.views.error_500"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
