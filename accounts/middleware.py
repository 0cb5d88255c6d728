"""Staff must use two-factor authentication before they reach the admin."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _

ADMIN_PREFIX = "/admin/"


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            getattr(settings, "KLARTANKT_REQUIRE_STAFF_MFA", True)
            and request.path.startswith(ADMIN_PREFIX)
            and request.user.is_authenticated
            and not has_totp(request.user)
        ):
            messages.info(
                request,
                _(
                    "To use the admin you need two-factor authentication. "
                    "Set it up with an authenticator app first."
                ),
            )
            return redirect(f"/konto/2fa/totp/activate/?{urlencode({'next': request.path})}")
        return self.get_response(request)


def has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
