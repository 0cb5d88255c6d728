from urllib.parse import urlencode

from django import template
from django.utils.translation import get_language

from h5p.origin import content_origin, platform_origin

register = template.Library()


@register.simple_tag(takes_context=True)
def h5p_origin(context) -> str:
    request = context.get("request")
    return content_origin(request) if request is not None else ""


@register.simple_tag(takes_context=True)
def h5p_player_url(context, activity) -> str:
    """The player page on the content origin, told which platform origin embeds it."""
    request = context.get("request")
    if request is None or activity is None:
        return ""
    query = urlencode({"parent": platform_origin(request), "lang": get_language() or "sv"})
    return f"{content_origin(request)}/h5p/play/{activity.uuid}/?{query}"
