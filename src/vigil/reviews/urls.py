from django.urls import path

from vigil.reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("cohort/", views.cohort, name="cohort"),
    path("cohort/edit/", views.cohort_edit, name="cohort_edit"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:task_id>/done/", views.task_done, name="task_done"),
    path("measures/", views.measures, name="measures"),
    path("measures/<int:measure_id>/review/", views.measure_review, name="measure_review"),
    path("measures/<int:measure_id>/lift/", views.measure_lift, name="measure_lift"),
    path("people/<int:person_id>/", views.case, name="case"),
    path("people/<int:person_id>/assign/", views.assign, name="assign"),
    path("people/<int:person_id>/open/", views.open_review, name="open"),
    path("people/<int:person_id>/close/", views.close, name="close"),
    path("people/<int:person_id>/form/", views.review_form, name="review_form"),
    path("people/<int:person_id>/decide/", views.decide, name="decide"),
    path("people/<int:person_id>/measures/new/", views.measure_new, name="measure_new"),
]
