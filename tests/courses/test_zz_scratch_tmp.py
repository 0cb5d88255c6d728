import pytest
from courses.models import LessonPage
from tests.courses import test_catalogue_content as t

pytestmark = pytest.mark.django_db

def test_negatives(catalogue):
    l = LessonPage.objects.get(slug="sextortion")
    raw = l.body.get_prep_value()
    for b in raw:
        if b["type"] == "text":
            b["value"] = b["value"].replace("116 111", "116 11").replace("112", "1 12 3")
        if b["type"] == "sources":
            b["value"]["items"][0]["value"]["url"] = "http://x.se/a"
    l.body = raw
    l.save_revision().publish()
    with pytest.raises(AssertionError) as e:
        t.test_lesson_has_no_urls(None, "grooming", "sextortion")
    print("\nFAIL MSG:", e.value)
    for s in ("kanna-igen-grooming", "prata-med-barn", "falska-bilder-med-ai"):
        LessonPage.objects.get(slug=s).unpublish()
    with pytest.raises(AssertionError) as e:
        t.test_grooming_names_where_to_get_help(None)
    print("\nFAIL MSG:", e.value)
