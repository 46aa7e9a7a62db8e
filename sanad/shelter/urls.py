"""The shelter app's pages, under /shelter/ (namespace `shelter`)."""

from __future__ import annotations

from sanad.shelter import urls_assessments, urls_cases, urls_contracts, urls_works

app_name = "shelter"
urlpatterns = [
    *urls_works.urlpatterns,
    *urls_assessments.urlpatterns,
    *urls_cases.urlpatterns,
    *urls_contracts.urlpatterns,
]
