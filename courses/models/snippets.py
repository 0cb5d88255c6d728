"""Snippets editors translate: course themes and glossary terms."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import TranslatableMixin
from wagtail.search import index


class Theme(TranslatableMixin, models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=50)
    description = models.TextField(_("description"), blank=True)

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="unique_theme_slug_locale"),
        ]

    def __str__(self) -> str:
        return self.name


class GlossaryTerm(TranslatableMixin, index.Indexed, models.Model):
    term = models.CharField(_("term"), max_length=100)
    slug = models.SlugField(
        _("slug"),
        max_length=60,
        help_text=_("Link to the term in a lesson with #begrepp-<slug>."),
    )
    definition = models.TextField(_("definition"), help_text=_("One or two plain sentences."))

    search_fields = [
        index.SearchField("term", boost=3),
        index.AutocompleteField("term"),
        index.SearchField("definition"),
        index.FilterField("locale_id"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="unique_term_slug_locale"),
        ]

    def __str__(self) -> str:
        return self.term

    @property
    def anchor(self) -> str:
        return f"begrepp-{self.slug}"
