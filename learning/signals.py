"""Claim the session's anonymous learner when someone logs in or signs up."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .services import SESSION_KEY, claim_learner


@receiver(user_logged_in, dispatch_uid="klartankt_claim_learner")
def claim_on_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    claim_learner(request.session.pop(SESSION_KEY, None), user)
    request._learner_cache = None
