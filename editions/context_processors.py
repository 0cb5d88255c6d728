"""The edition's name, logo and colours for every page, cached per site."""

from __future__ import annotations

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

CACHE_SECONDS = 300


def edition_cache_key(site_id: int) -> str:
    return f"klartankt:edition:{site_id}"


def _branding(request) -> dict:
    site = Site.find_for_request(request)
    if site is None:
        return {}
    key = edition_cache_key(site.pk)
    branding = cache.get(key)
    if branding is None:
        from .models import EditionSettings

        settings = EditionSettings.objects.filter(site=site).select_related("logo").first()
        branding = {"name": site.site_name or "Klartänkt"}
        if settings:
            branding.update(
                name=settings.library_name or branding["name"],
                municipality=settings.municipality,
                accent=settings.accent_colour,
                logo_url=settings.logo.get_rendition("max-240x80").url if settings.logo else "",
                contact=settings.contact,
                opening_hours=settings.opening_hours,
                site_id=site.pk,
            )
        cache.set(key, branding, CACHE_SECONDS)
    return branding


def edition(request) -> dict:
    return {"edition": SimpleLazyObject(lambda: _branding(request))}
