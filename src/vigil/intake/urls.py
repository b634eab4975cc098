from django.urls import path

from vigil.intake import views

app_name = "intake"
urlpatterns = [
    path("new/", views.report_new, name="report_new"),
    path("new/suggestions/", views.suggestions, name="suggestions"),
    path("filed/<int:report_id>/", views.report_filed, name="report_filed"),
    path("triage/", views.triage_queue, name="triage_queue"),
    path("reports/<int:report_id>/", views.report_detail, name="report_detail"),
    path("reports/<int:report_id>/decide/", views.report_decide, name="report_decide"),
    path("reports/<int:report_id>/repeat/", views.repeat_decide, name="repeat_decide"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:decision_id>/", views.approval_decide, name="approval_decide"),
]
