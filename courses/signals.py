"""Keep cached navigation fresh when pages change."""

from django.core.cache import cache
from django.db.models.signals import post_delete
from django.dispatch import receiver
from wagtail.models import Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished

from .context_processors import nav_cache_key

# Navigation lists a site's home page (depth 2) and its children (depth 3) only.
NAV_MAX_DEPTH = 3


def clear_navigation(instance=None, **kwargs) -> None:
    """Forget cached navigation when a page that can appear in it changes.

    Deeper pages (courses, lessons and their 290 aliases) never appear in it, so
    publishing a national lesson no longer clears every site's key once per alias.
    """
    if instance is not None and getattr(instance, "depth", 0) > NAV_MAX_DEPTH:
        return
    cache.delete_many([nav_cache_key(pk) for pk in Site.objects.values_list("pk", flat=True)])


for signal in (page_published, page_unpublished, page_slug_changed):
    signal.connect(clear_navigation, dispatch_uid=f"clear_nav_{signal}")


@receiver(post_delete, sender=Site)
def _site_deleted(sender, **kwargs):
    clear_navigation()
