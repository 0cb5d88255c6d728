"""Personal data: see, download and delete everything we hold about me."""

from __future__ import annotations

import json

from allauth.account import views as allauth_views
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from learning.services import delete_account, export_learner_data

from .forms import DeleteAccountForm


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/my_data.html", {"data": export_learner_data(request.user)})


@login_required
def download_my_data(request: HttpRequest) -> HttpResponse:
    data = json.dumps(export_learner_data(request.user), ensure_ascii=False, indent=2)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    filename = f"klartankt-mina-uppgifter-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def delete_my_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        delete_account(user)
        messages.success(request, _("Your account and everything we saved about you are deleted."))
        return redirect("/")
    return render(request, "accounts/delete_account.html", {"form": form})


class LoginView(allauth_views.LoginView):
    """allauth's login, answering 429 once its login-failure limit is reached.

    allauth shows the limit as a form error with status 200; clients, proxies and
    monitoring understand 429 Too Many Requests.
    """

    def form_invalid(self, form):
        response = super().form_invalid(form)
        codes = {error.code for error in form.non_field_errors().as_data()}
        if "too_many_login_attempts" in codes:
            response.status_code = 429
        return response


login = LoginView.as_view()
