"""A library edition: a Wagtail Site with its own tree, branding, media and groups."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from courses.blocks import (
    RICH_TEXT_FEATURES,
    AccessibleImageBlock,
    FactBoxBlock,
    LessonTextBlock,
)

from .colours import HEX_COLOUR, MIN_CONTRAST, TEXT_COLOURS, contrast_ratio


def validate_accent_colour(value: str) -> None:
    if not HEX_COLOUR.match(value or ""):
        raise ValidationError(_("Write the colour as # and six hex digits, e.g. #0b5cad."))
    worst = min(contrast_ratio(value, text) for text in TEXT_COLOURS)
    if worst < MIN_CONTRAST:
        raise ValidationError(
            _(
                "The colour is too light: its contrast with white text is %(ratio).1f:1, "
                "WCAG AA needs at least 4.5:1. Choose a darker colour."
            )
            % {"ratio": worst}
        )


class Edition(models.Model):
    """The structural parts of an edition; branding lives in EditionSettings."""

    site = models.OneToOneField(
        "wagtailcore.Site",
        on_delete=models.CASCADE,
        related_name="edition",
        verbose_name=_("site"),
    )
    is_national = models.BooleanField(_("national catalogue"), default=False)
    collection = models.ForeignKey(
        "wagtailcore.Collection",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("media collection"),
    )
    editors = models.OneToOneField(
        "auth.Group",
        on_delete=models.PROTECT,
        related_name="edition_as_editors",
        verbose_name=_("editors group"),
    )
    librarians = models.OneToOneField(
        "auth.Group",
        on_delete=models.PROTECT,
        related_name="edition_as_librarians",
        verbose_name=_("librarians group"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        permissions = [("view_edition_reports", _("Can see the reports of own edition"))]

    def __str__(self) -> str:
        return self.site.site_name or self.site.hostname


class EditionCourseChoice(models.Model):
    """An edition's decision about one national course: hidden, or copied to adapt it.

    The catalogue sync skips these, so a hidden course stays hidden and a local
    copy is never joined by a fresh alias.
    """

    HIDDEN = "hidden"
    COPIED = "copied"

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="choices")
    national_course = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+"
    )
    choice = models.CharField(
        max_length=10, choices=[(HIDDEN, _("hidden")), (COPIED, _("own copy"))]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "national_course"], name="one_choice_per_course"
            )
        ]

    def __str__(self) -> str:
        return f"{self.edition}: {self.national_course_id} {self.choice}"


@register_setting(icon="site")
class EditionSettings(BaseSiteSetting):
    library_name = models.CharField(_("library name"), max_length=120)
    municipality = models.CharField(_("municipality"), max_length=120, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accent_colour = models.CharField(
        _("accent colour"),
        max_length=7,
        blank=True,
        validators=[validate_accent_colour],
        help_text=_("For links and buttons. Must be dark enough for white text (WCAG AA)."),
    )
    contact = models.TextField(_("contact"), blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    about = RichTextField(
        _("about the library"), blank=True, features=["bold", "italic", "link", "ul", "ol"]
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("library_name"),
                FieldPanel("municipality"),
                FieldPanel("logo"),
                FieldPanel("accent_colour"),
            ],
            heading=_("Branding"),
        ),
        FieldPanel("about"),
        FieldPanel("contact"),
        FieldPanel("opening_hours"),
    ]

    class Meta:
        verbose_name = _("edition settings")


class LocalPageBodyBlock(blocks.StreamBlock):
    text = LessonTextBlock(features=RICH_TEXT_FEATURES)
    image = AccessibleImageBlock()
    fact_box = FactBoxBlock()


class LocalPage(Page):
    """A page of the edition's own: an event, "Träffa oss på biblioteket", opening hours."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    event_date = models.DateTimeField(
        _("date and time"), null=True, blank=True, help_text=_("For an event: when it starts.")
    )
    location = models.CharField(_("place"), max_length=200, blank=True)
    body = StreamField(LocalPageBodyBlock(), verbose_name=_("content"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("event_date"), FieldPanel("location")], heading=_("Event")),
        FieldPanel("body"),
    ]
    parent_page_types = ["courses.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("local page")
