from django.urls import path

from vigil.oversight import views

app_name = "oversight"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/", views.export, name="export"),
    path("charts/<slug:name>.svg", views.chart, name="chart"),
]
