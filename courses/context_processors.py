"""Site-wide navigation, cached per site so a page view costs no extra queries."""

from __future__ import annotations

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject
from wagtail.models import Page, Site

NAV_CACHE_SECONDS = 300


def nav_cache_key(site_id: int) -> str:
    return f"klartankt:nav:{site_id}"


def _navigation(request) -> dict:
    site = Site.find_for_request(request)
    if site is None:
        return {}
    key = nav_cache_key(site.pk)
    nav = cache.get(key)
    if nav is None:
        from .models import CourseIndexPage, GlossaryPage

        children = (
            Page.objects.child_of(site.root_page)
            .live()
            .in_menu()
            .type(CourseIndexPage, GlossaryPage)
            .specific()
            .order_by("path")
        )
        nav = {
            "site_name": site.site_name or "Klartänkt",
            "home_url": site.root_page.get_url(request),
            "links": [(page.title, page.get_url(request)) for page in children],
        }
        cache.set(key, nav, NAV_CACHE_SECONDS)
    return nav


def navigation(request) -> dict:
    return {"site_nav": SimpleLazyObject(lambda: _navigation(request))}
