"""Views for lessons that are not page serving: search, and the helpers that
answering a quiz (in the learning app) renders its results with."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from wagtail.models import Page, Site
from wagtail.search.backends import get_search_backend

from .models import GlossaryTerm, LessonPage
from .services import (
    QuizResult,
    find_quiz,
)

SEARCH_PAGE_SIZE = 10


def is_fragment_request(request: HttpRequest) -> bool:
    """True when our quiz script asked for just the quiz, to swap in place."""
    return request.headers.get("X-Requested-With") == "klartankt-quiz"


def visible_lesson(request: HttpRequest, page_id: int) -> LessonPage:
    """A live lesson of the current site that this request may view, or 404."""
    lesson = get_object_or_404(LessonPage.objects.live(), id=page_id)
    site = Site.find_for_request(request)
    if site is None or not lesson.path.startswith(site.root_page.path):
        raise Http404
    for restriction in lesson.get_view_restrictions():
        if not restriction.accept_request(request):
            raise Http404
    return lesson


def refuse_submission(
    request: HttpRequest, message: str, lesson: LessonPage | None = None, status: int = 400
) -> HttpResponse:
    """A clear message for a submission no honest form sends; nothing was saved."""
    if is_fragment_request(request):
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    return render(
        request, "courses/quiz_error.html", {"message": message, "lesson": lesson}, status=status
    )


def render_result(request: HttpRequest, lesson: LessonPage, result: QuizResult) -> HttpResponse:
    """The graded quiz: just the quiz for the script, else the whole lesson page."""
    if is_fragment_request(request):
        quiz = find_quiz(lesson, result.quiz_id)
        html = render_to_string(
            "courses/blocks/quiz.html",
            {"value": quiz.value, "block_id": quiz.id, "page": lesson, "result": result},
            request=request,
        )
        return HttpResponse(html)
    context = lesson.get_context(request)
    context["quiz_results"] = {result.quiz_id: result}
    return TemplateResponse(request, lesson.get_template(request), context)


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    site = Site.find_for_request(request)
    page_results, terms = None, []
    if query and site is not None:
        pages = Page.objects.live().public().descendant_of(site.root_page, inclusive=True)
        page_results = Paginator(pages.search(query), SEARCH_PAGE_SIZE).get_page(
            request.GET.get("sida")
        )
        terms = list(
            get_search_backend().search(
                query, GlossaryTerm.objects.filter(locale_id=site.root_page.locale_id)
            )[:5]
        )
    return render(
        request, "courses/search.html", {"query": query, "results": page_results, "terms": terms}
    )
