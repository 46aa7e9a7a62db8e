"""Import pages, included under registry/imports/ (the including URLconf's app_name,
"registry", namespaces them)."""

from django.urls import path

from sanad.registry.imports import views

urlpatterns = [
    path("", views.ImportListView.as_view(), name="import_list"),
    path("upload/", views.import_upload, name="import_upload"),
    path("template/", views.template_download, name="template_download"),
    path("xlsform/", views.xlsform_download, name="xlsform_download"),
    path("mappings/", views.mapping_list, name="mapping_list"),
    path("mappings/new/", views.mapping_edit, name="mapping_edit"),
    path("mappings/<uuid:public_id>/", views.mapping_edit, name="mapping_edit"),
    path("<uuid:public_id>/", views.import_detail, name="import_detail"),
    path("<uuid:public_id>/commit/", views.import_commit, name="import_commit"),
    path("<uuid:public_id>/reject/", views.import_reject, name="import_reject"),
    path("<uuid:public_id>/report/", views.import_report, name="import_report"),
]
