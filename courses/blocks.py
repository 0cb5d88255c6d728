"""StreamField blocks for lessons. One named StreamBlock per field:
`LessonBodyBlock` for `LessonPage.body`."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from h5p.blocks import H5PBlock

from .quiz_blocks import QuizBlock

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]
SHORT_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link"]


def _struct_error(**fields: str) -> StructBlockValidationError:
    return StructBlockValidationError(
        block_errors={name: ValidationError(message) for name, message in fields.items()}
    )


class LessonTextBlock(blocks.RichTextBlock):
    class Meta:
        icon = "pilcrow"
        label = _("Text")
        description = _("Paragraphs with headings, lists and links.")
        template = "courses/blocks/text.html"
        preview_value = (
            "<h2>Vad är en chattbot?</h2><p>En chattbot är ett program som svarar "
            "med text som liknar en människas.</p>"
        )


class AccessibleImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        required=False,
        max_length=300,
        help_text=_("Describe what the image shows and why it matters for the lesson."),
    )
    decorative = blocks.BooleanBlock(
        label=_("Decorative image"),
        required=False,
        help_text=_("Tick only if the image adds nothing to the text. Screen readers skip it."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=300)

    class Meta:
        icon = "image"
        label = _("Image")
        description = _("An image with alternative text, or marked as decorative.")
        template = "courses/blocks/image.html"
        preview_value = {"alt_text": "", "decorative": True, "caption": ""}

    def clean(self, value):
        value = super().clean(value)
        if not value["decorative"] and not (value["alt_text"] or "").strip():
            raise _struct_error(
                alt_text=_("Write an alternative text, or mark the image as decorative.")
            )
        return value


_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")


def privacy_embed_url(url: str) -> str | None:
    """The iframe address for a YouTube or Vimeo link, or None if unsupported.

    YouTube uses its no-cookie domain; nothing loads until the learner clicks.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    video_id = ""
    if host == "youtube.com":
        video_id = parse_qs(parts.query).get("v", [""])[0]
    elif host == "youtu.be":
        video_id = parts.path.strip("/")
    elif host == "vimeo.com" and parts.path.strip("/").isdigit():
        return f"https://player.vimeo.com/video/{parts.path.strip('/')}"
    if video_id and _YOUTUBE_ID.match(video_id):
        return f"https://www.youtube-nocookie.com/embed/{video_id}"
    return None


class VideoStructValue(blocks.StructValue):
    def privacy_embed_url(self) -> str | None:
        return privacy_embed_url(self.get("embed_url") or "")


class VideoBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    video_file = DocumentChooserBlock(
        label=_("Video file"),
        required=False,
        help_text=_("An uploaded MP4 or WebM file. Needs a caption track."),
    )
    captions = DocumentChooserBlock(
        label=_("Captions (WebVTT)"),
        required=False,
        help_text=_("A .vtt file with Swedish captions."),
    )
    embed_url = blocks.URLBlock(
        label=_("Or: YouTube or Vimeo address"),
        required=False,
        help_text=_("Nothing loads from YouTube or Vimeo until the learner clicks play."),
    )
    transcript = blocks.RichTextBlock(
        label=_("Transcript"),
        required=False,
        features=SHORT_TEXT_FEATURES,
    )

    class Meta:
        icon = "media"
        label = _("Video")
        description = _(
            "An uploaded video with captions, or a YouTube/Vimeo video that "
            "loads only when the learner asks for it."
        )
        template = "courses/blocks/video.html"
        value_class = VideoStructValue
        preview_value = {"title": "Så känner du igen en röstklon", "embed_url": ""}

    def clean(self, value):
        value = super().clean(value)
        has_file, has_embed = bool(value["video_file"]), bool(value["embed_url"])
        if has_file == has_embed:
            raise _struct_error(
                video_file=_("Choose either an uploaded video file or a YouTube/Vimeo address.")
            )
        if has_file:
            if value["video_file"].file_extension.lower() not in {"mp4", "webm"}:
                raise _struct_error(video_file=_("The video must be an MP4 or WebM file."))
            if not value["captions"]:
                raise _struct_error(captions=_("An uploaded video needs a caption file."))
            if value["captions"].file_extension.lower() != "vtt":
                raise _struct_error(captions=_("The caption file must be a WebVTT (.vtt) file."))
        if has_embed and not privacy_embed_url(value["embed_url"]):
            raise _struct_error(embed_url=_("Only YouTube and Vimeo addresses can be embedded."))
        return value


class FactBoxBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=120)
    text = blocks.RichTextBlock(label=_("Text"), features=SHORT_TEXT_FEATURES)

    class Meta:
        icon = "info-circle"
        label = _("Fact box")
        description = _("A highlighted box with a fact or a tip.")
        template = "courses/blocks/fact_box.html"
        preview_value = {
            "title": "Bra att veta",
            "text": "<p>AI-förordningen trädde i kraft den 1 augusti 2024.</p>",
        }


class ReflectionBlock(blocks.StructBlock):
    prompt = blocks.TextBlock(label=_("Question to reflect on"), rows=2)
    scenario = blocks.RichTextBlock(
        label=_("Scenario"),
        required=False,
        features=SHORT_TEXT_FEATURES,
        help_text=_("Optional: a short situation for the learner to judge."),
    )
    hints = blocks.ListBlock(
        blocks.CharBlock(label=_("Hint"), max_length=300),
        label=_("Things to consider"),
        default=[],
    )

    class Meta:
        icon = "openquote"
        label = _("Reflection")
        description = _("A question or a situation to think about or discuss. Nothing is saved.")
        template = "courses/blocks/reflection.html"
        preview_value = {
            "prompt": "Vad skulle du göra?",
            "scenario": "<p>Mamma skickar en länk i familjechatten.</p>",
            "hints": ["Vem ligger bakom?"],
        }


class ChecklistItemBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Check"), max_length=200)
    help = blocks.CharBlock(label=_("Help text"), required=False, max_length=400)


class SourceCheckBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=120)
    intro = blocks.TextBlock(label=_("Introduction"), required=False, rows=2)
    items = blocks.ListBlock(ChecklistItemBlock(), min_num=1, label=_("Checks"))

    class Meta:
        icon = "list-ul"
        label = _("Source-check checklist")
        description = _("Steps the learner ticks off while checking a claim or a source.")
        template = "courses/blocks/source_check.html"
        preview_value = {
            "title": "Granska källan",
            "items": [{"label": "Vem ligger bakom?", "help": "Finns en avsändare?"}],
        }


class ComparisonBlock(blocks.StructBlock):
    question = blocks.CharBlock(
        label=_("Question"), max_length=200, default=_("Which picture is AI-made?")
    )
    image_a = ImageChooserBlock(label=_("Image A"))
    alt_a = blocks.CharBlock(label=_("Alternative text for image A"), max_length=300)
    image_b = ImageChooserBlock(label=_("Image B"))
    alt_b = blocks.CharBlock(label=_("Alternative text for image B"), max_length=300)
    synthetic = blocks.ChoiceBlock(
        label=_("AI-made image"),
        choices=[("a", _("Image A")), ("b", _("Image B"))],
    )
    explanation = blocks.RichTextBlock(label=_("Explanation"), features=SHORT_TEXT_FEATURES)

    class Meta:
        icon = "view"
        label = _("Real or AI-made?")
        description = _("Two images side by side; the learner guesses, then opens the answer.")
        template = "courses/blocks/comparison.html"
        preview_value = {
            "question": "Vilken bild är AI-gjord?",
            "synthetic": "b",
            "explanation": "<p>Titta på händerna.</p>",
        }


class GlossaryTermsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(
        label=_("Heading"), max_length=120, default=_("Words in this lesson")
    )
    terms = blocks.ListBlock(
        SnippetChooserBlock("courses.GlossaryTerm"), min_num=1, label=_("Terms")
    )

    class Meta:
        icon = "snippet"
        label = _("Glossary terms")
        description = _(
            "Explains the lesson's terms; link to them in the text with #begrepp-slug."
        )
        template = "courses/blocks/glossary_terms.html"
        preview_value = {"heading": "Begrepp i lektionen"}


class SourceItemBlock(blocks.StructBlock):
    organisation = blocks.CharBlock(label=_("Organisation"), max_length=200)
    title = blocks.CharBlock(label=_("Title"), max_length=300)
    url = blocks.URLBlock(label=_("Address"), required=False)


class SourcesBlock(blocks.StructBlock):
    heading = blocks.CharBlock(
        label=_("Heading"), max_length=120, default=_("Sources and further reading")
    )
    items = blocks.ListBlock(SourceItemBlock(), min_num=1, label=_("Sources"))

    class Meta:
        icon = "link"
        label = _("Sources")
        description = _("Where the facts come from, and where to read more.")
        template = "courses/blocks/sources.html"
        preview_value = {
            "heading": "Källor och läs mer",
            "items": [{"organisation": "Internetstiftelsen", "title": "Svenskarna och internet"}],
        }


class LessonBodyBlock(blocks.StreamBlock):
    text = LessonTextBlock(features=RICH_TEXT_FEATURES)
    image = AccessibleImageBlock()
    video = VideoBlock()
    fact_box = FactBoxBlock()
    reflection = ReflectionBlock()
    source_check = SourceCheckBlock()
    comparison = ComparisonBlock()
    glossary_terms = GlossaryTermsBlock()
    quiz = QuizBlock()
    h5p = H5PBlock()
    sources = SourcesBlock()

    class Meta:
        min_num = 1
        block_counts = {"quiz": {"max_num": 3}}

    # Blocks that ask the learner to do something (counted in catalogue reports).
    EXERCISE_TYPES = frozenset({"reflection", "source_check", "comparison"})
