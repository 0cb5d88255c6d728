"""Each block three ways: clean() on its own, rendered on a page, created through the admin."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Page

from courses.blocks import (
    AccessibleImageBlock,
    LessonBodyBlock,
    VideoBlock,
    privacy_embed_url,
)
from courses.models import CoursePage, GlossaryTerm, LessonPage
from courses.quiz_blocks import MultipleChoiceQuestionBlock, SingleChoiceQuestionBlock
from tests.factories import listblock, make_lesson, nested_form_data, rich_text, streamfield

pytestmark = pytest.mark.django_db


def choices(*flags):
    return [
        {"text": f"Svar {n}", "correct": flag, "feedback": f"Återkoppling {n}"}
        for n, flag in enumerate(flags)
    ]


def question(block, *flags):
    return block.to_python(
        {"question": "Fråga?", "choices": choices(*flags), "explanation": "Förklaring"}
    )


class TestQuestionValidation:
    def test_single_choice_needs_exactly_one_correct(self):
        block = SingleChoiceQuestionBlock()
        block.clean(question(block, True, False))
        for flags in [(False, False), (True, True)]:
            with pytest.raises(ValidationError) as error:
                block.clean(question(block, *flags))
            assert "exakt ett rätt svar" in str(
                error.value.block_errors["choices"].non_block_errors.as_data()[0].message
            )

    def test_multiple_choice_needs_at_least_one_correct(self):
        block = MultipleChoiceQuestionBlock()
        block.clean(question(block, True, True, False))
        with pytest.raises(ValidationError):
            block.clean(question(block, False, False))

    def test_every_choice_needs_feedback(self):
        block = SingleChoiceQuestionBlock()
        value = block.to_python(
            {
                "question": "?",
                "explanation": "x",
                "choices": [
                    {"text": "a", "correct": True, "feedback": ""},
                    {"text": "b", "correct": False, "feedback": "b"},
                ],
            }
        )
        with pytest.raises(ValidationError):
            block.clean(value)


class TestImageAndVideo:
    def test_image_needs_alt_text_unless_decorative(self, catalogue):
        block = AccessibleImageBlock()
        image = Image.objects.first()
        with pytest.raises(ValidationError):
            block.clean(block.to_python({"image": image.pk, "alt_text": "", "decorative": False}))
        block.clean(block.to_python({"image": image.pk, "alt_text": "", "decorative": True}))
        block.clean(
            block.to_python({"image": image.pk, "alt_text": "En graf", "decorative": False})
        )

    @pytest.mark.parametrize(
        "url, expected",
        [
            (
                "https://www.youtube.com/watch?v=abcDEF12345",
                "https://www.youtube-nocookie.com/embed/abcDEF12345",
            ),
            ("https://youtu.be/abcDEF12345", "https://www.youtube-nocookie.com/embed/abcDEF12345"),
            ("https://vimeo.com/123456", "https://player.vimeo.com/video/123456"),
            ("https://evil.example/watch?v=abcDEF12345", None),
            ("javascript:alert(1)", None),
        ],
    )
    def test_only_known_providers_embed(self, url, expected):
        assert privacy_embed_url(url) == expected

    def test_video_needs_file_with_captions_or_embed(self, tmp_path):
        from django.core.files.base import ContentFile

        block = VideoBlock()
        video = Document(title="film")
        video.file.save("film.mp4", ContentFile(b"\x00"), save=True)
        with pytest.raises(ValidationError):
            block.clean(block.to_python({"title": "t"}))
        with pytest.raises(ValidationError):  # file without captions
            block.clean(block.to_python({"title": "t", "video_file": video.pk}))
        with pytest.raises(ValidationError):  # unknown provider
            block.clean(block.to_python({"title": "t", "embed_url": "https://example.org/v"}))
        block.clean(block.to_python({"title": "t", "embed_url": "https://youtu.be/abcDEF12345"}))


def test_no_raw_html_block_anywhere():
    """SECURITY.md #16: RawHTMLBlock is registered in no StreamField."""
    from wagtail.blocks import RawHTMLBlock
    from wagtail.fields import StreamField

    def walk(block):
        yield block
        for child in getattr(block, "child_blocks", {}).values():
            yield from walk(child)
        if getattr(block, "child_block", None):
            yield from walk(block.child_block)

    for model in (LessonPage, CoursePage):
        for field in model._meta.get_fields():
            if isinstance(field, StreamField):
                assert not any(isinstance(b, RawHTMLBlock) for b in walk(field.stream_block))


def every_block_body(image_id, term_id):
    """Raw StreamField JSON using every block type of LessonBodyBlock."""
    import uuid

    def item(value):
        return {"type": "item", "value": value, "id": str(uuid.uuid4())}

    return [
        {"type": "text", "value": "<h2>Avsnitt</h2><p>Brödtext</p>"},
        {
            "type": "image",
            "value": {
                "image": image_id,
                "alt_text": "Bildtext-ALT",
                "decorative": False,
                "caption": "Bildtext",
            },
        },
        {
            "type": "video",
            "value": {
                "title": "Film-TITEL",
                "video_file": None,
                "captions": None,
                "embed_url": "https://youtu.be/abcDEF12345",
                "transcript": "",
            },
        },
        {"type": "fact_box", "value": {"title": "Fakta-TITEL", "text": "<p>Fakta</p>"}},
        {
            "type": "reflection",
            "value": {"prompt": "Reflektera-FRÅGA", "scenario": "", "hints": [item("Ledtråd")]},
        },
        {
            "type": "source_check",
            "value": {
                "title": "Granska-TITEL",
                "intro": "",
                "items": [item({"label": "Vem?", "help": ""})],
            },
        },
        {
            "type": "comparison",
            "value": {
                "question": "Vilken?",
                "image_a": image_id,
                "alt_a": "Bild-A-ALT",
                "image_b": image_id,
                "alt_b": "Bild-B-ALT",
                "synthetic": "b",
                "explanation": "<p>Händerna</p>",
            },
        },
        {"type": "glossary_terms", "value": {"heading": "Begrepp", "terms": [term_id]}},
        {
            "type": "sources",
            "value": {
                "heading": "Källor",
                "items": [item({"organisation": "IMY", "title": "Källa-TITEL", "url": ""})],
            },
        },
    ]


def test_every_block_renders_on_a_lesson(client, catalogue):
    image = Image.objects.first()
    term = GlossaryTerm.objects.get(slug="chattbot")
    lesson = make_lesson(
        CoursePage.objects.get(slug="grunder"),
        slug="alla-block",
        body=every_block_body(image.pk, term.pk),
    )
    html = client.get(lesson.url).content.decode()
    for marker in (
        "<h2>Avsnitt</h2>",
        "Bildtext-ALT",
        "Film-TITEL",
        "Fakta-TITEL",
        "Reflektera-FRÅGA",
        "Granska-TITEL",
        "Bild-A-ALT",
        'id="begrepp-chattbot"',
        "Källa-TITEL",
        "youtube-nocookie.com/embed/abcDEF12345",
    ):
        assert marker in html
    assert "<iframe" not in html  # nothing from YouTube until the learner clicks


def body_errors(response) -> str:
    """The StreamField errors of an admin form response, as readable text."""
    import json

    error = response.context["form"].errors["body"].as_data()[0]
    return json.dumps(error.as_json_data(), ensure_ascii=False)


class TestAdminForms:
    """Editors create lessons through the real admin forms."""

    def add_url(self, parent):
        return f"/admin/pages/add/courses/lessonpage/{parent.id}/"

    def post(self, client, parent, body, slug="ny-lektion"):
        data = nested_form_data(
            {
                "title": "Ny lektion",
                "slug": slug,
                "estimated_minutes": "10",
                "intro": rich_text("<p>Efter lektionen kan du mer.</p>"),
                "body": streamfield(body),
                "action-publish": "publish",
            }
        )
        return client.post(self.add_url(parent), data)

    def quiz(self, correct_flags):
        return (
            "quiz",
            {
                "title": "Testa dig själv",
                "intro": "",
                "questions": streamfield(
                    [
                        (
                            "single_choice",
                            {
                                "question": "Vad gör en chattbot?",
                                "choices": listblock(
                                    [
                                        {
                                            "text": f"Svar {n}",
                                            "correct": "on" if flag else "",
                                            "feedback": f"Återkoppling {n}",
                                        }
                                        for n, flag in enumerate(correct_flags)
                                    ]
                                ),
                                "explanation": "För att den gissar ord.",
                            },
                        )
                    ]
                ),
            },
        )

    def test_editor_creates_a_lesson_with_every_block(self, admin_client, catalogue):
        image = Image.objects.first()
        term = GlossaryTerm.objects.get(slug="chattbot")
        course = CoursePage.objects.get(slug="grunder")
        body = [
            ("text", rich_text("<h2>Avsnitt</h2><p>Brödtext</p>")),
            ("image", {"image": image.pk, "alt_text": "En bild", "decorative": "", "caption": ""}),
            (
                "video",
                {
                    "title": "Film",
                    "video_file": "",
                    "captions": "",
                    "embed_url": "https://youtu.be/abcDEF12345",
                    "transcript": rich_text(""),
                },
            ),
            ("fact_box", {"title": "Fakta", "text": rich_text("<p>Fakta</p>")}),
            (
                "reflection",
                {"prompt": "Tänk", "scenario": rich_text(""), "hints": listblock(["Ledtråd"])},
            ),
            (
                "source_check",
                {
                    "title": "Granska",
                    "intro": "",
                    "items": listblock([{"label": "Vem?", "help": ""}]),
                },
            ),
            (
                "comparison",
                {
                    "question": "Vilken?",
                    "image_a": image.pk,
                    "alt_a": "A",
                    "image_b": image.pk,
                    "alt_b": "B",
                    "synthetic": "b",
                    "explanation": rich_text("<p>Händerna</p>"),
                },
            ),
            ("glossary_terms", {"heading": "Begrepp", "terms": listblock([term.pk])}),
            self.quiz([True, False]),
            (
                "sources",
                {
                    "heading": "Källor",
                    "items": listblock(
                        [{"organisation": "IMY", "title": "Vägledning", "url": ""}]
                    ),
                },
            ),
        ]
        response = self.post(admin_client, course, body)
        assert response.status_code == 302, response.context["form"].errors
        lesson = LessonPage.objects.get(slug="ny-lektion")
        assert lesson.live
        assert [b.block_type for b in lesson.body] == [b[0] for b in body]
        question = lesson.body[8].value["questions"][0]
        assert len(str(question.id)) == 36  # Wagtail gave the question a stable block id
        assert all(len(str(c.id)) == 36 for c in question.value.options())

    def test_quiz_without_correct_choice_is_refused(self, admin_client, catalogue):
        course = CoursePage.objects.get(slug="grunder")
        response = self.post(admin_client, course, [self.quiz([False, False])])
        assert response.status_code == 200
        assert "exakt ett rätt svar" in body_errors(response)
        assert not LessonPage.objects.filter(slug="ny-lektion").exists()

    def test_image_without_alt_text_is_refused(self, admin_client, catalogue):
        image = Image.objects.first()
        response = self.post(
            admin_client,
            CoursePage.objects.get(slug="grunder"),
            [("image", {"image": image.pk, "alt_text": "", "decorative": "", "caption": ""})],
        )
        assert response.status_code == 200
        assert "alternativtext" in body_errors(response)
        assert not LessonPage.objects.filter(slug="ny-lektion").exists()

    def test_empty_lesson_is_refused(self, admin_client, catalogue):
        response = self.post(admin_client, CoursePage.objects.get(slug="grunder"), [])
        assert response.status_code == 200
        assert not LessonPage.objects.filter(slug="ny-lektion").exists()

    def test_question_ids_survive_an_edit(self, admin_client, lesson):
        before = [
            str(q.id) for b in lesson.body if b.block_type == "quiz" for q in b.value["questions"]
        ]
        revision = lesson.save_revision()
        revision.publish()
        lesson = Page.objects.get(pk=lesson.pk).specific
        after = [
            str(q.id) for b in lesson.body if b.block_type == "quiz" for q in b.value["questions"]
        ]
        assert before == after and before


def test_body_block_meta_is_complete():
    """Every block has a template, icon, label, description and preview value (STYLE.md)."""
    for name, block in LessonBodyBlock().child_blocks.items():
        meta = block.meta
        assert meta.template, name
        assert meta.icon, name
        assert str(meta.label), name
        assert str(meta.description), name
        assert getattr(meta, "preview_value", None) is not None, name
