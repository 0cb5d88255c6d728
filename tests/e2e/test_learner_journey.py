"""A learner's whole journey in Chromium: anonymous answers → progress → sign up →
progress kept → course completed → certificate → verified by a stranger → own data
downloaded → account deleted → records gone. Every new page is checked with axe."""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e.conftest import assert_accessible, assert_no_third_party

pytestmark = pytest.mark.browser

COURSE = "/kurser/grunder/"
EMAIL = "larande@example.org"
PASSWORD = "ett-riktigt-langt-losenord-7"  # noqa: S105


def lessons():
    from courses.models import CoursePage, LessonPage

    course = CoursePage.objects.get(slug="grunder", alias_of=None)
    return list(LessonPage.objects.child_of(course).live().order_by("path"))


def answer_right(page, site, lesson) -> None:
    """Open the lesson and answer its quiz right, by clicking like a person."""
    from tests.factories import right_answers

    page.goto(site + lesson.url)
    _, answers = right_answers(lesson)
    for name, values in answers.items():
        for value in values:
            page.locator(f'input[name="{name}"][value="{value}"]').check()
    page.get_by_role("button", name="Rätta mina svar").click()
    page.locator("[data-quiz-summary]").wait_for()
    assert f"Du fick {len(answers)} av {len(answers)} rätt." in page.content()


def test_the_whole_journey(site, open_tab):
    from django.core import mail

    from learning.models import CourseCompletion, Learner, QuizSubmission

    tab = open_tab()
    page = tab.page
    all_lessons = lessons()

    # 1. Anonymous: answer the first lesson's quiz and see the progress.
    answer_right(page, site, all_lessons[0])
    page.goto(site + COURSE)
    assert f"1 av {len(all_lessons)} lektioner" in page.content()
    assert_accessible(page, "course page with progress")
    page.goto(site + "/mina-kurser/")
    assert "Fortsätt där du var" in page.content()
    assert_accessible(page, "Mina kurser (anonymous)")
    anonymous = Learner.objects.get()
    assert anonymous.user is None

    # 2. Sign up; the e-mail brings a code; the progress is still there.
    page.goto(site + "/konto/signup/")
    assert_accessible(page, "sign-up")
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Registrera|Skapa")).click()
    page.wait_for_url(re.compile("confirm-email"))
    assert_accessible(page, "e-mail code")
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.M).group(1)
    page.get_by_label(re.compile("Kod", re.I)).fill(code)
    page.get_by_role("button", name=re.compile("Bekräfta")).click()
    page.wait_for_url(re.compile("/mina-kurser/"))
    assert "Vad är AI?" in page.content()
    learner = Learner.objects.get()
    assert learner.pk == anonymous.pk and learner.user.email == EMAIL

    # 3. Complete the course.
    for lesson in all_lessons[1:]:
        answer_right(page, site, lesson)
    page.goto(site + COURSE)
    assert "Du har gått klart kursen" in page.content()
    page.goto(site + "/mina-kurser/")
    assert_accessible(page, "Mina kurser (completed)")
    page.get_by_role("link", name="Ditt intyg").click()
    completion = CourseCompletion.objects.get()
    assert completion.code in page.content()
    page.get_by_label(re.compile("Namn på intyget")).fill("Ada Lovelace")
    page.get_by_role("button", name="Spara namnet").click()
    assert "Ada Lovelace" in page.content()
    assert_accessible(page, "certificate")

    # 4. A stranger verifies it: course, date, valid — and no personal data.
    stranger = open_tab().page
    stranger.goto(f"{site}/intyg/{completion.code}/")
    text = stranger.content()
    assert "Intyget är giltigt" in text and "Vad är AI?" in text
    assert EMAIL not in text and "Ada Lovelace" not in text
    assert_accessible(stranger, "certificate check")

    # 5. Download everything we hold, then delete the account.
    page.goto(site + "/konto/mina-uppgifter/")
    assert_accessible(page, "Mina uppgifter")
    with page.expect_download() as download:
        page.get_by_role("link", name="Hämta mina uppgifter (JSON)").click()
    data = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert data["account"]["email"] == EMAIL
    assert len(data["learner"]["quiz_submissions"]) == len(all_lessons)
    page.get_by_role("link", name="Radera mitt konto").click()
    assert_accessible(page, "delete account")
    page.get_by_label(re.compile("Ja, radera mitt konto")).check()
    page.get_by_role("button", name="Radera mitt konto nu").click()
    page.wait_for_url(site + "/")
    assert not Learner.objects.exists() and not QuizSubmission.objects.exists()
    assert not CourseCompletion.objects.exists()
    stranger.goto(f"{site}/intyg/{completion.code}/")
    assert "Vi har inget intyg" in stranger.content()
    assert_no_third_party(tab.requests, site)
    assert not tab.errors, tab.errors
