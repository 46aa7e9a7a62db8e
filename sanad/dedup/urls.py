from django.urls import path

from sanad.dedup import views

app_name = "dedup"
urlpatterns = [
    path("", views.pair_list, name="pair_list"),
    path("pairs/<uuid:public_id>/", views.pair_detail, name="pair_detail"),
    path("pairs/<uuid:public_id>/confirm/", views.pair_confirm, name="pair_confirm"),
    path("pairs/<uuid:public_id>/reject/", views.pair_reject, name="pair_reject"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/start/", views.run_start, name="run_start"),
    path("runs/<uuid:public_id>/", views.run_detail, name="run_detail"),
    path("runs/<uuid:public_id>/download/", views.link_download, name="link_download"),
    path("link/", views.link_upload, name="link_upload"),
    path("merges/", views.merge_list, name="merge_list"),
    path("merges/<uuid:public_id>/undo/", views.merge_undo, name="merge_undo"),
    path("settings/", views.settings_page, name="settings"),
    path("households/<uuid:public_id>/", views.household_note, name="household_note"),
    path("imports/<uuid:public_id>/", views.batch_duplicates, name="batch_duplicates"),
]
