"""The revitalization app's pages, under /revitalization/ (namespace `revitalization`)."""

from __future__ import annotations

from sanad.revitalization import (
    urls_agreements,
    urls_communities,
    urls_governance,
    urls_grants,
    urls_training,
)

app_name = "revitalization"
urlpatterns = [
    *urls_communities.urlpatterns,
    *urls_grants.urlpatterns,
    *urls_agreements.urlpatterns,
    *urls_training.urlpatterns,
    *urls_governance.urlpatterns,
]
