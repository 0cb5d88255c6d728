import uuid

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`mapping[key]` in a template, or None."""
    if not mapping:
        return None
    return mapping.get(str(key))


@register.filter
def result_for(result, question_id):
    """The graded result of one question, when the quiz has been answered."""
    return result.for_question(str(question_id)) if result else None


@register.simple_tag
def submission_key() -> str:
    """A fresh key per rendered quiz form: a resubmitted form is recognised as a retry."""
    return str(uuid.uuid4())
