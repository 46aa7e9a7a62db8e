from django.urls import path

from sanad.targeting import views

app_name = "targeting"
urlpatterns = [
    path("", views.ListListView.as_view(), name="list_list"),
    path("lists/new/", views.list_create, name="list_create"),
    path("lists/<uuid:public_id>/", views.list_detail, name="list_detail"),
    path("lists/<uuid:public_id>/edit/", views.list_edit, name="list_edit"),
    path("lists/<uuid:public_id>/build/", views.list_build, name="list_build"),
    path("lists/<uuid:public_id>/status/", views.list_transition, name="list_transition"),
    path("lists/<uuid:public_id>/households/", views.EntryListView.as_view(), name="entry_list"),
    path(
        "lists/<uuid:public_id>/households/<uuid:household>/",
        views.explanation,
        name="explanation",
    ),
    path("lists/<uuid:public_id>/decisions/", views.decision_set, name="decision_set"),
    path("lists/<uuid:public_id>/decisions/remove/", views.decision_remove, name="decision_remove"),
    path("lists/<uuid:public_id>/export/", views.list_export, name="list_export"),
    path("rules/", views.RuleListView.as_view(), name="rule_list"),
    path("rules/new/", views.rule_create, name="rule_create"),
    path("rules/preview/", views.rule_preview, name="rule_preview"),
    path("rules/<uuid:public_id>/", views.rule_edit, name="rule_edit"),
    path("models/", views.ModelListView.as_view(), name="model_list"),
    path("models/new/", views.model_create, name="model_create"),
    path(
        "models/coefficients-template.csv",
        views.coefficients_template,
        name="coefficients_template",
    ),
    path("models/<uuid:public_id>/", views.model_detail, name="model_detail"),
    path("models/<uuid:public_id>/versions/new/", views.version_create, name="version_create"),
    path("appeals/", views.appeal, name="appeal"),
]
