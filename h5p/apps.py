from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class H5PConfig(AppConfig):
    name = "h5p"
    label = "h5p"
    verbose_name = _("H5P activities")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from courses.extensions import register_page_context

        from . import signals  # noqa: F401
        from .blocks import mark_graded_activities

        register_page_context(mark_graded_activities)
