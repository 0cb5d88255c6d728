"""Answering a lesson's quiz in a real browser: with JavaScript (graded in place), without
JavaScript (a plain form POST), with the keyboard only, and for every course's first lesson.

The expected score comes from the server's own grading of the same answers, so the tests
check what the learner is shown, not the content of the catalogue.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import assert_accessible, assert_no_third_party

pytestmark = pytest.mark.browser

LESSON = "/kurser/grunder/sa-fungerar-chattbotar/"
ACTION = re.compile(r"/lektion/(?P<page_id>\d+)/quiz/(?P<quiz_id>[^/]+)/")
MAX_TAB_STOPS = 300


def questions(page) -> list[dict]:
    """The rendered quiz: per question its field name, input type and choice values."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("[data-quiz] fieldset")).map(set => {
            const inputs = Array.from(set.querySelectorAll('input[name^="q-"]'));
            return {
                name: inputs[0].name,
                type: inputs[0].type,
                values: inputs.map(input => input.value),
            };
        })"""
    )


def first_choices(page) -> dict[str, list[str]]:
    """The answers these tests give: the first choice of every question."""
    found = questions(page)
    assert 3 <= len(found) <= 6, f"a quiz has 3–6 questions, found {len(found)}"
    return {q["name"]: [q["values"][0]] for q in found}


def expected_summary(page, answers: dict[str, list[str]]) -> str:
    """The summary the server's grading of these answers gives: "Du fick N av M rätt."."""
    from courses.models import LessonPage
    from courses.services import grade_submission

    action = page.locator("[data-quiz-form]").get_attribute("action")
    match = ACTION.search(action)
    assert match, action
    lesson = LessonPage.objects.get(id=match["page_id"])
    result = grade_submission(lesson, match["quiz_id"], answers)
    assert result.max_score == len(answers)
    return f"Du fick {result.score} av {result.max_score} rätt."


def check_choices(page, answers: dict[str, list[str]]) -> None:
    for name, values in answers.items():
        for value in values:
            page.locator(f'input[name="{name}"][value="{value}"]').check()


def answer_with_javascript(page, url: str) -> str:
    """Answer the quiz on the lesson at `url` with the mouse; return the summary text."""
    assert page.goto(url).status == 200
    answers = first_choices(page)
    expected = expected_summary(page, answers)
    page.evaluate("() => { window.notReloaded = true; }")
    check_choices(page, answers)
    page.locator("[data-quiz-form] button[type=submit]").click()
    summary = page.locator("[data-quiz-summary]")
    summary.wait_for()
    assert page.url == url, "the graded quiz replaces the form on the lesson page"
    assert page.evaluate("() => window.notReloaded === true"), "the page was reloaded"
    assert expected in summary.inner_text()
    return expected


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {
                tag: el.tagName.toLowerCase(), id: el.id, name: el.name || "",
                type: el.type || "", value: el.value || "", className: el.className,
                href: el.getAttribute("href") || "", summary: el.hasAttribute("data-quiz-summary"),
                checked: Boolean(el.checked),
            };
        }"""
    )


def test_quiz_is_graded_in_place(tab, site):
    page = tab.page
    answer_with_javascript(page, site + LESSON)
    assert focused(page)["summary"], "focus moves to the result"
    answered = page.locator("[data-quiz] fieldset.question--answered")
    assert answered.count() == len(questions(page))
    assert page.locator("[data-quiz] .feedback").count() >= answered.count()
    assert page.locator("[data-quiz] input:disabled:checked").count() == answered.count()
    assert_accessible(page, "graded quiz (JavaScript)")
    assert_no_third_party(tab.requests, site)
    assert not tab.errors, tab.errors


def test_answer_again_shows_a_fresh_quiz(tab, site):
    page = tab.page
    answer_with_javascript(page, site + LESSON)
    with page.expect_navigation():
        page.get_by_role("link", name="Svara igen").click()
    assert page.locator("[data-quiz-summary]").count() == 0
    inputs = page.locator('[data-quiz] input[name^="q-"]')
    assert inputs.count() > 0
    assert page.locator('[data-quiz] input[name^="q-"]:checked').count() == 0
    assert page.locator('[data-quiz] input[name^="q-"]:disabled').count() == 0
    assert page.locator("[data-quiz-form] button[type=submit]").is_enabled()


def test_refused_answer_is_announced_and_focused(tab, site):
    """A message from the server (here: a form without its submission key) is shown in
    the alert and receives focus; the learner can send the form again."""
    page = tab.page
    assert page.goto(site + LESSON).status == 200
    check_choices(page, first_choices(page))
    page.locator("[data-quiz-form] [name=submission_key]").evaluate("input => input.remove()")
    page.locator("[data-quiz-form] button[type=submit]").focus()
    page.keyboard.press("Enter")
    error = page.locator("[data-quiz-error]")
    page.wait_for_function("() => document.querySelector('[data-quiz-error]').textContent")
    assert error.inner_text() == "Formuläret är inte komplett. Ladda om sidan och svara igen."
    assert error.get_attribute("role") == "alert"
    assert page.evaluate("() => document.activeElement.matches('[data-quiz-error]')")
    assert page.locator("[data-quiz-form] button[type=submit]").is_enabled()
    assert page.url == site + LESSON
    assert_accessible(page, "quiz with an error message")


def test_expired_form_shows_the_error_page_not_its_source(tab, site):
    """Without the CSRF cookie the server answers with a whole page; the script shows
    that page as the form would without JavaScript, not its HTML in the alert."""
    page = tab.page
    assert page.goto(site + LESSON).status == 200
    check_choices(page, first_choices(page))
    page.context.clear_cookies()
    with page.expect_navigation() as navigation:
        page.locator("[data-quiz-form] button[type=submit]").click()
    assert navigation.value.status == 403
    assert page.locator("h1").inner_text() == "Formuläret kunde inte skickas"
    assert "<" not in page.locator("main").inner_text()
    assert_accessible(page, "expired form")
    assert_no_third_party(tab.requests, site)


def test_quiz_without_javascript_is_a_plain_form_post(open_tab, site):
    tab = open_tab(java_script_enabled=False)
    page = tab.page
    assert page.goto(site + LESSON).status == 200
    answers = first_choices(page)
    expected = expected_summary(page, answers)
    check_choices(page, answers)
    with page.expect_navigation() as navigation:
        page.locator("[data-quiz-form] button[type=submit]").click()
    response = navigation.value
    assert response.request.method == "POST"
    assert response.status == 200
    assert ACTION.search(page.url), page.url
    assert expected in page.locator("[data-quiz-summary]").inner_text()
    assert "Du fick" in page.content()
    assert page.locator("[data-quiz] .feedback").count() >= len(answers)
    assert page.locator("h1").count() == 1, "the whole lesson page, not a fragment"
    assert_accessible(page, "graded quiz (no JavaScript)")
    assert_no_third_party(tab.requests, site)


def test_quiz_with_the_keyboard_only(tab, site):
    page = tab.page
    assert page.goto(site + LESSON).status == 200
    answers = first_choices(page)
    expected = expected_summary(page, answers)

    # The skip link is the first tab stop and takes focus to the main content.
    page.keyboard.press("Tab")
    first = focused(page)
    assert (first["tag"], first["href"]) == ("a", "#main"), first
    assert page.locator(".skip-link").is_visible(), "the skip link shows when focused"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'main'")

    # Tab through the lesson; choose the first choice of each question with Space.
    chosen: set[str] = set()
    for _ in range(MAX_TAB_STOPS):
        page.keyboard.press("Tab")
        here = focused(page)
        if here["name"] in answers and here["name"] not in chosen:
            assert here["value"] == answers[here["name"]][0], (
                f"Tab reaches {here['name']} at its first choice"
            )
            page.keyboard.press("Space")
            assert focused(page)["checked"], f"Space chooses {here['id']}"
            chosen.add(here["name"])
        if here["tag"] == "button" and here["type"] == "submit" and chosen:
            break
    else:
        pytest.fail(f"no submit button within {MAX_TAB_STOPS} tab stops")
    assert chosen == set(answers), "every question was reached with Tab"

    page.keyboard.press("Enter")
    summary = page.locator("[data-quiz-summary]")
    summary.wait_for()
    assert expected in summary.inner_text()
    assert focused(page)["summary"], "focus moves to the result"
    assert page.url.split("#")[0] == site + LESSON, "graded in place"
    assert_no_third_party(tab.requests, site)


def test_radio_choice_moves_with_arrow_keys(tab, site):
    """Within a single-answer question the arrow keys move the choice."""
    page = tab.page
    assert page.goto(site + LESSON).status == 200
    radio = next(q for q in questions(page) if q["type"] == "radio" and len(q["values"]) >= 2)
    page.locator(f'input[name="{radio["name"]}"]').first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    here = focused(page)
    assert (here["value"], here["checked"]) == (radio["values"][1], True)
    page.keyboard.press("ArrowUp")
    here = focused(page)
    assert (here["value"], here["checked"]) == (radio["values"][0], True)


def test_every_course_first_lesson_quiz(tab, site):
    """Catalogue coverage: each course's first lesson has a quiz that can be answered."""
    from wagtail.models import Site

    from courses.models import CoursePage

    home = Site.objects.get(is_default_site=True)
    courses = list(CoursePage.objects.live().in_site(home).order_by("path"))
    assert courses
    problems = []
    for course in courses:
        lesson = course.lessons().first()
        if lesson is None:
            problems.append(f"{course.slug}: no lessons")
            continue
        path = lesson.relative_url(home)
        try:
            answer_with_javascript(tab.page, site + path)
        except Exception as error:  # assertions and timeouts alike: report every course
            problems.append(f"{course.slug} ({path}): {error}")
    assert not problems, "\n".join(problems)
    assert_no_third_party(tab.requests, site)
    assert not tab.errors, tab.errors
