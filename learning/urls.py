from django.urls import path

from . import views

urlpatterns = [
    path("lektion/<int:page_id>/quiz/<str:quiz_id>/", views.answer_quiz, name="answer_quiz"),
    path("lektion/<int:page_id>/klar/", views.lesson_done, name="lesson_done"),
    path("mina-kurser/", views.my_courses, name="my_courses"),
    path("mina-kurser/intyg/<str:code>/", views.certificate, name="certificate"),
    path("intyg/<str:code>/", views.verify_certificate, name="verify_certificate"),
]
