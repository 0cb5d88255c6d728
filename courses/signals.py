"""Keep cached navigation fresh when pages change."""

from django.core.cache import cache
from django.db.models.signals import post_delete
from django.dispatch import receiver
from wagtail.models import Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished

from .context_processors import nav_cache_key


def clear_navigation(**kwargs) -> None:
    cache.delete_many([nav_cache_key(pk) for pk in Site.objects.values_list("pk", flat=True)])


for signal in (page_published, page_unpublished, page_slug_changed):
    signal.connect(clear_navigation, dispatch_uid=f"clear_nav_{signal}")


@receiver(post_delete, sender=Site)
def _site_deleted(sender, **kwargs):
    clear_navigation()
