"""The lesson block that plays an H5P activity in a sandboxed iframe on the
content origin."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock

BLOCK_TYPE = "h5p"
DEFAULT_PASS_PERCENT = 50


class H5PBlock(blocks.StructBlock):
    activity = SnippetChooserBlock("h5p.H5PActivity", label=_("H5P activity"))
    pass_percent = blocks.IntegerBlock(
        label=_("Pass mark (%)"),
        default=DEFAULT_PASS_PERCENT,
        min_value=0,
        max_value=100,
        help_text=_(
            "The share of the activity's points a learner needs for the activity to "
            "count as done. The activity reports its score from the learner's browser."
        ),
    )

    class Meta:
        icon = "form"
        label = _("H5P activity")
        description = _(
            "An interactive H5P activity, played in a protected frame. Its result counts "
            "in the learner's progress like a quiz."
        )
        template = "h5p/blocks/h5p.html"
        preview_value = {"activity": None, "pass_percent": DEFAULT_PASS_PERCENT}


def h5p_blocks(lesson) -> list:
    """The H5P blocks of a lesson body (StreamChild objects)."""
    return [block for block in lesson.body if block.block_type == BLOCK_TYPE]


def find_h5p_block(lesson, block_id: str):
    for block in h5p_blocks(lesson):
        if str(block.id) == block_id:
            return block
    return None


def mark_graded_activities(page, request, context: dict) -> None:
    """A lesson with an H5P activity is finished by its result, not by a button."""
    body = getattr(page, "body", None)
    if body is not None and context.get("has_quiz") is False:
        if any(block.block_type == BLOCK_TYPE for block in body):
            context["has_quiz"] = True
