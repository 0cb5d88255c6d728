"""load_catalogue: validated source files, one transaction, idempotent."""

import shutil

import pytest
import yaml
from django.core.management import CommandError, call_command
from wagtail.models import Page, Revision

from courses.catalogue_source import CATALOGUE_DIR, load_catalogue
from courses.models import GlossaryTerm, LessonPage

pytestmark = pytest.mark.django_db

LESSON = "grunder/sa-fungerar-chattbotar.yaml"


@pytest.fixture
def source(tmp_path):
    """A scratch copy of the catalogue to edit."""
    root = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, root)
    return root


def load(root, **kwargs):
    call_command(
        "load_catalogue",
        "--catalogue",
        str(root),
        stdout=open("/dev/null", "w"),
        **kwargs,
    )


def snapshot():
    return (Page.objects.count(), Revision.objects.count(), GlossaryTerm.objects.count())


def test_second_run_changes_nothing(catalogue, source):
    before = snapshot()
    load(source)
    assert snapshot() == before


def test_an_edited_file_gets_a_new_revision_and_keeps_its_ids(catalogue, source):
    lesson = LessonPage.objects.get(slug="sa-fungerar-chattbotar")
    question_ids = [
        str(q.id) for b in lesson.body if b.block_type == "quiz" for q in b.value["questions"]
    ]
    path = source / LESSON
    data = yaml.safe_load(path.read_text())
    data["title"] = "Så fungerar chattbotar – uppdaterad"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    revisions = Revision.objects.count()

    load(source)

    lesson.refresh_from_db()
    assert lesson.title == "Så fungerar chattbotar – uppdaterad"
    assert Revision.objects.count() == revisions + 1
    assert lesson.live and not lesson.has_unpublished_changes
    assert [
        str(q.id) for b in lesson.body if b.block_type == "quiz" for q in b.value["questions"]
    ] == question_ids


def first_question(data):
    quiz = next(block for block in data["body"] if block["type"] == "quiz")
    return next(q for q in quiz["questions"] if q["type"] != "truefalse")


def break_missing_feedback(data):
    del first_question(data)["choices"][0]["feedback"]


def break_no_correct_choice(data):
    for choice in first_question(data)["choices"]:
        choice["correct"] = False


def break_unknown_term(data):
    data["intro"] += "\n\nLäs om [något](begrepp:finns-inte-alls)."


def break_image_reference(data):
    data["body"].insert(0, {"type": "image", "file": "saknas.svg", "alt": "En bild"})


@pytest.mark.parametrize(
    "breaker, reason",
    [
        (break_missing_feedback, "feedback"),
        (break_no_correct_choice, "exakt ett rätt"),
        (break_unknown_term, "finns-inte-alls"),
        (break_image_reference, "saknas.svg"),
    ],
)
def test_a_broken_file_stops_the_load_and_changes_nothing(
    catalogue, source, capsys, breaker, reason
):
    path = source / LESSON
    data = yaml.safe_load(path.read_text())
    breaker(data)
    data["title"] = "Den här titeln får inte sparas"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    before = snapshot()

    with pytest.raises(CommandError, match="nothing was loaded"):
        load(source)

    errors = capsys.readouterr().err
    assert f"catalogue/{LESSON}:" in errors
    line = errors.split(f"{LESSON}:")[1].split(":")[0]
    assert line.isdigit(), errors
    assert reason in errors
    assert snapshot() == before
    assert not LessonPage.objects.filter(title="Den här titeln får inte sparas").exists()


def test_yaml_syntax_error_names_the_line(source):
    path = source / LESSON
    lines = path.read_text().splitlines()
    lines.insert(3, "  - this: [is not closed")
    path.write_text("\n".join(lines))
    with pytest.raises(Exception) as error:
        load_catalogue(source)
    assert any(p.line and p.line >= 4 for p in error.value.problems)


def test_a_failure_while_writing_rolls_everything_back(catalogue, source, monkeypatch):
    from courses import catalogue_import

    path = source / LESSON
    data = yaml.safe_load(path.read_text())
    data["title"] = "Ändrad men aldrig sparad"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    before = snapshot()

    def explode(self, course, source):
        if source.data["slug"] == "vad-ar-bias":
            raise RuntimeError("disk full")
        return original(self, course, source)

    original = catalogue_import.CatalogueImporter.import_lesson
    monkeypatch.setattr(catalogue_import.CatalogueImporter, "import_lesson", explode)
    with pytest.raises(RuntimeError):
        load(source)
    assert snapshot() == before
    assert not LessonPage.objects.filter(title="Ändrad men aldrig sparad").exists()


def test_imported_rich_text_is_sanitised():
    from courses.catalogue_import import markdown_to_html

    html = markdown_to_html(
        'Hej <script>alert(1)</script> [x](begrepp:ai) <a href="javascript:x" '
        'onclick="y">z</a>\n\n## Rubrik'
    )
    assert "<script" not in html and "onclick" not in html and "javascript:" not in html
    assert '<a href="#begrepp-ai">x</a>' in html
    assert "<h2>Rubrik</h2>" in html


def test_demo_users_only_with_the_development_setting(db, settings, capsys):
    from django.contrib.auth import get_user_model

    settings.KLARTANKT_DEMO_USERS = False
    call_command("load_demo", "--no-editions")
    assert not get_user_model().objects.filter(username="redaktor").exists()
    settings.KLARTANKT_DEMO_USERS = True
    call_command("load_demo", "--no-editions")
    out = capsys.readouterr().out
    assert "redaktor / klartankt-redaktor" in out
    editor = get_user_model().objects.get(username="redaktor")
    assert editor.groups.filter(edition_as_editors__is_national=True).exists()
    assert not editor.is_superuser
