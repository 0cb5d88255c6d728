"""The reports page in the admin: an edition's usage as charts, tables and CSV."""

from __future__ import annotations

import csv
from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .models import Edition
from .reports import MIN_GROUP, bar_chart, build_report
from .services import user_editions


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def reportable_editions(user):
    if user.is_superuser:
        return Edition.objects.select_related("site").order_by("-is_national", "site__site_name")
    if not user.has_perm("editions.view_edition_reports"):
        return Edition.objects.none()
    return user_editions(user)


def edition_report(request):
    editions = list(reportable_editions(request.user))
    if not editions:
        raise PermissionDenied
    chosen = request.GET.get("utgava", "")
    if chosen == "alla" and request.user.is_superuser:
        sites, title, edition = None, _("All editions (national total)"), None
    else:
        edition = (
            next((e for e in editions if str(e.pk) == chosen), None) if chosen else editions[0]
        )
        if edition is None:
            raise Http404
        sites, title = [edition.site], str(edition)
    start, end = _date(request.GET.get("fran", "")), _date(request.GET.get("till", ""))
    report = build_report(sites, title, start, end)
    if request.GET.get("format") == "csv":
        return _csv(report)
    return TemplateResponse(
        request,
        "editions/admin/report.html",
        {
            "report": report,
            "editions": editions,
            "edition": edition,
            "chosen": chosen,
            "chart": bar_chart(report.courses),
            "min_group": MIN_GROUP,
            "query": request.GET.urlencode(),
        },
    )


def _csv(report) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="klartankt-rapport.csv"'
    few = _("fewer than %(n)d") % {"n": MIN_GROUP}
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Course"),
            _("Started"),
            _("Completed"),
            _("Completion rate (%)"),
            _("Average score (%)"),
        ]
    )
    for row in report.courses:
        if row.hidden:
            writer.writerow([row.title, few, "", "", ""])
        else:
            writer.writerow(
                [
                    row.title,
                    row.started,
                    row.completed,
                    row.completion_rate,
                    row.average_score if row.average_score is not None else "",
                ]
            )
    writer.writerow([])
    writer.writerow(
        [
            _("Course"),
            _("Lesson"),
            _("Question"),
            _("Answered"),
            _("Right (%)"),
            _("Most common wrong answer"),
        ]
    )
    for row in report.questions:
        if row.hidden:
            writer.writerow([row.course_title, row.lesson_title, row.question, few, "", ""])
        else:
            writer.writerow(
                [
                    row.course_title,
                    row.lesson_title,
                    row.question,
                    row.answered,
                    row.share_correct,
                    row.common_wrong,
                ]
            )
    return response
