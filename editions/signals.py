from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published

from .context_processors import edition_cache_key
from .models import EditionSettings


@receiver(page_published, dispatch_uid="editions_alias_new_national_pages")
def alias_new_national_pages(sender, instance, **kwargs):
    """First publication of a national course or lesson: alias it into every edition."""
    if instance.first_published_at and instance.first_published_at == instance.last_published_at:
        from .services import on_national_publish

        on_national_publish(instance)


@receiver(
    [post_save, post_delete], sender=EditionSettings, dispatch_uid="editions_clear_branding_cache"
)
def clear_branding(sender, instance, **kwargs):
    cache.delete(edition_cache_key(instance.site_id))
