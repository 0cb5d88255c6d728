"""Recording answers, "Mina kurser" and certificates."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Page, Site

from courses.services import (
    MAX_SUBMISSION_BYTES,
    InvalidSubmission,
    find_quiz,
    grade_quiz,
    parse_answers,
)
from courses.views import refuse_submission, render_result, visible_lesson
from h5p.blocks import find_h5p_block
from h5p.origin import platform_origin
from h5p.xapi import MAX_STATEMENT_BYTES, InvalidStatement, parse_result

from .forms import DisplayNameForm
from .models import CourseCompletion
from .services import (
    SubmissionConflict,
    current_learner,
    has_graded_items,
    is_probably_bot,
    learner_for_activity,
    learner_summary,
    mark_lesson_done,
    record_h5p_result,
    record_quiz_submission,
)


def _too_large(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_SUBMISSION_BYTES
    except ValueError:
        return True


@require_POST
def answer_quiz(request: HttpRequest, page_id: int, quiz_id: str) -> HttpResponse:
    if _too_large(request):
        return refuse_submission(request, _("The answer was too large to be received."))
    lesson = visible_lesson(request, page_id)
    quiz = find_quiz(lesson, quiz_id)
    if quiz is None:
        return refuse_submission(request, _("This quiz does not exist in the lesson."), lesson)
    try:
        key = uuid.UUID(request.POST.get("submission_key", ""))
        answers = parse_answers(quiz, dict(request.POST.lists()))
    except ValueError:
        return refuse_submission(
            request, _("The form is incomplete. Reload the page and answer again."), lesson
        )
    except InvalidSubmission as error:
        return refuse_submission(request, error.message, lesson)
    result = grade_quiz(lesson, quiz, answers)
    if not is_probably_bot(request):
        try:
            record_quiz_submission(
                learner_for_activity(request),
                lesson,
                result,
                answers,
                key,
                Site.find_for_request(request),
            )
        except SubmissionConflict:
            return refuse_submission(
                request,
                _(
                    "This form has already been sent with other "
                    "answers. Reload the page and answer again."
                ),
                lesson,
                status=409,
            )
    return render_result(request, lesson, result)


@require_POST
def lesson_done(request: HttpRequest, page_id: int) -> HttpResponse:
    lesson = visible_lesson(request, page_id)
    if has_graded_items(lesson):
        return refuse_submission(request, _("Answer the quiz to finish this lesson."), lesson)
    mark_lesson_done(learner_for_activity(request), lesson, Site.find_for_request(request))
    messages.success(request, _("The lesson is marked as done."))
    return redirect(lesson.get_url(request))


def _h5p_refusal(message: str, status: int) -> JsonResponse:
    """Nothing was recorded; the message is for the learner."""
    return JsonResponse({"recorded": False, "message": message}, status=status)


@require_POST
def answer_h5p(request: HttpRequest, page_id: int, block_id: str) -> HttpResponse:
    """Record an H5P result that the lesson page's script forwarded (JSON, CSRF).

    The learner is the session's (the post names nobody); the activity must be
    in an H5P block of a live lesson this request may see on this site; the
    score must lie within 0..max; sub-content statements are acknowledged but
    not counted. Scores are self-reported by the player in the browser.
    """
    # Never from package code on the content origin (same-site, but not same-origin).
    origin = request.headers.get("Origin")
    fetch_site = request.headers.get("Sec-Fetch-Site", "same-origin")
    if (origin and origin != platform_origin(request)) or fetch_site not in (
        "same-origin",
        "none",
    ):
        return _h5p_refusal(_("Results are only accepted from the lesson page."), 403)
    try:
        too_large = int(request.META.get("CONTENT_LENGTH") or 0) > MAX_STATEMENT_BYTES
    except ValueError:
        too_large = True
    if too_large:
        return _h5p_refusal(_("The result was too large to be received."), 413)
    not_here = _("This activity is not part of this lesson.")
    try:
        lesson = visible_lesson(request, page_id)
    except Http404:
        return _h5p_refusal(not_here, 404)
    block = find_h5p_block(lesson, block_id)
    activity = block.value["activity"] if block is not None else None
    if activity is None:
        return _h5p_refusal(not_here, 404)
    try:
        result = parse_result(request.body, activity=activity.uuid)
    except InvalidStatement as error:
        return _h5p_refusal(error.message, 413 if error.code == "too_large" else 400)
    if result.is_child:
        return JsonResponse({"recorded": False, "message": ""})
    if not is_probably_bot(request):
        try:
            record_h5p_result(
                learner_for_activity(request),
                lesson,
                str(block.id),
                result,
                int(block.value["pass_percent"]),
                Site.find_for_request(request),
            )
        except SubmissionConflict:
            return _h5p_refusal(
                _("This result has already been recorded with another score."), 409
            )
    passed = result.passes(int(block.value["pass_percent"]))
    message = _("Your result is saved: %(score)s of %(max)s points.") % {
        "score": result.raw,
        "max": result.max,
    }
    if not passed:
        message += " " + _("Try again to finish the activity.")
    return JsonResponse(
        {
            "recorded": True,
            "score": result.raw,
            "max": result.max,
            "passed": passed,
            "message": message,
        }
    )


def _edition_page(request: HttpRequest, canonical_id: int) -> Page | None:
    """The page in this edition for a canonical page id (the original or its alias)."""
    site = Site.find_for_request(request)
    pages = Page.objects.live().filter(Q(id=canonical_id) | Q(alias_of_id=canonical_id))
    if site is not None:
        pages = pages.descendant_of(site.root_page, inclusive=True)
    return pages.order_by("-alias_of_id").first()


def my_courses(request: HttpRequest) -> HttpResponse:
    learner = current_learner(request)
    summary = (
        learner_summary(learner)
        if learner
        else {"courses": [], "in_progress": [], "completed": []}
    )
    for row in summary["courses"]:
        row["continue_page"] = _edition_page(request, row["last_lesson_id"])
        row["course_page"] = _edition_page(request, row["course"].id) if row["course"] else None
    return render(request, "learning/my_courses.html", {"learner": learner, **summary})


def _own_completion(request: HttpRequest, code: str) -> CourseCompletion:
    learner = current_learner(request)
    if learner is None:
        raise Http404
    return get_object_or_404(CourseCompletion, code=code.upper(), learner=learner)


def certificate(request: HttpRequest, code: str) -> HttpResponse:
    """The learner's own printable certificate, with the name they chose."""
    completion = _own_completion(request, code)
    if request.method == "POST":
        form = DisplayNameForm(request.POST, instance=completion.learner)
        if form.is_valid():
            form.save()
            messages.success(request, _("The name on your certificates is saved."))
            return redirect("certificate", code=completion.code)
    else:
        form = DisplayNameForm(instance=completion.learner)
    verify_url = request.build_absolute_uri(f"/intyg/{completion.code}/")
    return render(
        request,
        "learning/certificate.html",
        {"completion": completion, "form": form, "verify_url": verify_url},
    )


def verify_certificate(request: HttpRequest, code: str) -> HttpResponse:
    """Anyone can check a certificate: course, date, edition, valid or withdrawn."""
    completion = CourseCompletion.objects.filter(code=code.strip().upper()).first()
    status = 200 if completion else 404
    response = render(
        request, "learning/verify.html", {"completion": completion, "code": code}, status=status
    )
    response["X-Robots-Tag"] = "noindex"
    return response
