from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.login, name="account_login"),
    path("mina-uppgifter/", views.my_data, name="my_data"),
    path("mina-uppgifter/hamta/", views.download_my_data, name="download_my_data"),
    path("radera/", views.delete_my_account, name="delete_account"),
]
