from django.urls import path

from sanad.accounts import views

app_name = "accounts"
urlpatterns = [
    path("me/", views.profile, name="profile"),
    path("me/tokens/", views.token_create, name="token_create"),
    path("me/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<uuid:public_id>/", views.user_detail, name="user_detail"),
    path("users/<uuid:public_id>/roles/", views.role_assign, name="role_assign"),
    path(
        "users/<uuid:public_id>/roles/<uuid:assignment_id>/revoke/",
        views.role_revoke,
        name="role_revoke",
    ),
    path("users/<uuid:public_id>/active/", views.user_set_active, name="user_set_active"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation_list"),
]
