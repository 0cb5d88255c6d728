from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = _("Learner records")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from courses.extensions import register_page_context

        from . import signals  # noqa: F401
        from .context import add_learner_progress

        register_page_context(add_learner_progress)
