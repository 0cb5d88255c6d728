from django.urls import path

from . import views

urlpatterns = [path("utgava.css", views.edition_css, name="edition_css")]
