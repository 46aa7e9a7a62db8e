from django.urls import path

from sanad.web import views

app_name = "web"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("language/", views.set_language, name="set_language"),
    path("health/", views.health, name="health"),
]
