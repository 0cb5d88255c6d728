"""Extension points for apps that build on content without content knowing them.

`learning` registers a provider that adds the learner's progress to course and
lesson pages; `courses` itself never imports it (dependencies point one way).
"""

from __future__ import annotations

from collections.abc import Callable

PageContextProvider = Callable[[object, object, dict], None]
_page_context_providers: list[PageContextProvider] = []


def register_page_context(provider: PageContextProvider) -> PageContextProvider:
    """Register `provider(page, request, context)`; it may add keys to the context."""
    if provider not in _page_context_providers:
        _page_context_providers.append(provider)
    return provider


def extend_page_context(page, request, context: dict) -> dict:
    for provider in _page_context_providers:
        provider(page, request, context)
    return context
