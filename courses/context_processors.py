"""Site-wide navigation, cached per site so a page view costs no extra queries."""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject
from wagtail.models import Page, Site

SITE_CACHE_SECONDS = 300


def site_cache_key(prefix: str, site_id: int) -> str:
    return f"klartankt:{prefix}:{site_id}"


def nav_cache_key(site_id: int) -> str:
    return site_cache_key("nav", site_id)


def cached_for_site(request, prefix: str, build: Callable[[Site], dict]) -> dict:
    """`build(site)` for the request's site, kept in the shared cache per site."""
    site = Site.find_for_request(request)
    if site is None:
        return {}
    key = site_cache_key(prefix, site.pk)
    value = cache.get(key)
    if value is None:
        value = build(site)
        cache.set(key, value, SITE_CACHE_SECONDS)
    return value


def _navigation(request) -> dict:
    def build(site: Site) -> dict:
        # Every live, public page the editors put in the menu: the course catalogue,
        # the glossary and an edition's own pages.
        children = Page.objects.child_of(site.root_page).live().public().in_menu().order_by("path")
        return {
            "site_name": site.site_name or "Klartänkt",
            "home_url": site.root_page.get_url(request),
            "links": [(page.title, page.get_url(request)) for page in children],
        }

    return cached_for_site(request, "nav", build)


def navigation(request) -> dict:
    return {"site_nav": SimpleLazyObject(lambda: _navigation(request))}
