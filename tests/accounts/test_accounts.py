"""Accounts through allauth: sign-up with e-mail code, claiming, limits, two-factor."""

import json
import re
import uuid

import pytest
from django.core import mail
from django.urls import reverse

from learning.models import Learner, LessonProgress, QuizSubmission
from tests.factories import right_answers

pytestmark = pytest.mark.django_db


def answer(client, lesson):
    quiz_id, data = right_answers(lesson)
    url = reverse("answer_quiz", kwargs={"page_id": lesson.id, "quiz_id": quiz_id})
    return client.post(url, {**data, "submission_key": str(uuid.uuid4())})


def sign_up(client, email="ny@example.org", password="ett-langt-losenord-42"):  # noqa: S107
    response = client.post(
        "/konto/signup/", {"email": email, "password1": password, "password2": password}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE).group(1)
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302
    return response


def test_pages_are_swedish_in_our_layout(client):
    html = client.get("/konto/login/").content.decode()
    assert '<html lang="sv"' in html and "Hoppa till innehållet" in html
    assert "Logga in" in html


def test_sign_up_verifies_the_email_and_keeps_anonymous_progress(client, lessons):
    answer(client, lessons[0])
    anonymous = Learner.objects.get()
    sign_up(client)
    learner = Learner.objects.get()
    assert learner.pk == anonymous.pk and learner.user.email == "ny@example.org"
    assert LessonProgress.objects.filter(learner=learner).count() == 1
    assert "klartankt_learner" not in client.session
    html = client.get("/mina-kurser/").content.decode()
    assert "Vad är AI?" in html


def test_logging_in_rotates_the_session_and_claims_once(client, lessons, django_user_model):
    from allauth.account.models import EmailAddress

    user = django_user_model.objects.create_user("anna", "anna@example.org", "losenord-123-abc")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    answer(client, lessons[0])
    old_session = client.session.session_key
    response = client.post(
        "/konto/login/", {"login": "anna@example.org", "password": "losenord-123-abc"}
    )
    assert response.status_code == 302
    assert client.session.session_key != old_session
    assert Learner.objects.get().user == user
    assert QuizSubmission.objects.count() == 1
    client.post("/konto/logout/")
    assert "klartankt_learner" not in client.session


def test_login_failures_are_rate_limited(client, django_user_model):
    django_user_model.objects.create_user("anna", "anna@example.org", "losenord-123-abc")
    statuses = [
        client.post(
            "/konto/login/", {"login": "anna@example.org", "password": f"fel-{n}"}
        ).status_code
        for n in range(7)
    ]
    assert statuses[-1] == 429, statuses
    assert (
        "För många misslyckade inloggningsförsök"
        in client.post(
            "/konto/login/", {"login": "anna@example.org", "password": "x"}
        ).content.decode()
    )


def test_the_admin_login_goes_through_allauth(client, django_user_model):
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/konto/login/")
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response["Location"] == "/konto/login/?next=%2Fadmin%2Fpages%2F"
    assert client.get("/admin/login/?next=https://evil.example/")["Location"].endswith(
        "next=%2Fadmin%2F"
    )
    django_user_model.objects.create_superuser("boss", "boss@example.org", "pw-1234-abcd")
    client.post("/admin/login/", {"username": "boss", "password": "pw-1234-abcd"})
    assert "_auth_user_id" not in client.session  # the old form authenticates nobody


def test_staff_must_set_up_two_factor_before_the_admin(client, django_user_model):
    from tests.conftest import with_totp

    editor = django_user_model.objects.create_user("ed", "ed@example.org", "pw", is_staff=True)
    editor.is_superuser = True
    editor.save()
    client.force_login(editor)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/konto/2fa/totp/activate/" in response["Location"]
    with_totp(editor)
    assert client.get("/admin/").status_code == 200


def test_my_data_download_and_delete(client, lessons, django_user_model):
    user = django_user_model.objects.create_user("anna", "anna@example.org", "pw")
    client.force_login(user)
    answer(client, lessons[0])
    assert "anna@example.org" in client.get("/konto/mina-uppgifter/").content.decode()
    response = client.get("/konto/mina-uppgifter/hamta/")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == "anna@example.org"
    assert len(data["learner"]["quiz_submissions"]) == 1

    refused = client.post("/konto/radera/", {})
    assert refused.status_code == 200 and "Kryssa i rutan" in refused.content.decode()
    assert django_user_model.objects.filter(pk=user.pk).exists()

    response = client.post("/konto/radera/", {"confirm": "on"})
    assert response.status_code == 302
    assert not django_user_model.objects.filter(pk=user.pk).exists()
    assert not Learner.objects.exists() and not QuizSubmission.objects.exists()
    assert client.get("/konto/mina-uppgifter/").status_code == 302  # logged out
