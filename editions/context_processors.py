"""The edition's name, logo and colours for every page, cached per site."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from courses.context_processors import cached_for_site, site_cache_key


def edition_cache_key(site_id: int) -> str:
    return site_cache_key("edition", site_id)


def _branding(request) -> dict:
    def build(site) -> dict:
        from .models import EditionSettings

        settings = EditionSettings.objects.filter(site=site).select_related("logo").first()
        branding = {"name": site.site_name or "Klartänkt", "site_id": site.pk}
        if settings:
            branding.update(
                name=settings.library_name or branding["name"],
                municipality=settings.municipality,
                accent=settings.accent_colour,
                logo_url=settings.logo.get_rendition("max-240x80").url if settings.logo else "",
                contact=settings.contact,
                opening_hours=settings.opening_hours,
            )
        return branding

    return cached_for_site(request, "edition", build)


def edition(request) -> dict:
    return {"edition": SimpleLazyObject(lambda: _branding(request))}
