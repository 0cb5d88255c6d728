"""SECURITY.md #35: every model holding personal data is covered by export and deletion."""

from django.apps import apps
from django.contrib.auth import get_user_model
from wagtail.models import Page

from learning.models import Learner
from learning.privacy import EDITORIAL_MODELS, PERSONAL_DATA_MODELS


def points_at_a_person(model, seen=None) -> bool:
    seen = seen or set()
    person_models = {get_user_model(), Learner}
    for field in model._meta.get_fields():
        if not (field.is_relation and field.many_to_one or field.one_to_one) or field.auto_created:
            continue
        target = field.related_model
        if target in person_models:
            return True
        if (
            target is not None
            and target not in seen
            and target._meta.label in (PERSONAL_DATA_MODELS)
        ):
            seen.add(target)
            if points_at_a_person(target, seen):
                return True
    return False


def test_every_personal_data_model_is_registered():
    unregistered = [
        model._meta.label
        for model in apps.get_models(include_auto_created=True)
        if points_at_a_person(model)
        and not issubclass(model, Page)  # pages point at their editor, not a learner
        and model._meta.label not in PERSONAL_DATA_MODELS
        and model._meta.label not in EDITORIAL_MODELS
    ]
    assert not unregistered, f"add to learning/privacy.py: {unregistered}"


def test_the_registry_names_real_models():
    labels = {model._meta.label for model in apps.get_models(include_auto_created=True)}
    assert set(PERSONAL_DATA_MODELS) <= labels
