from django import forms
from django.utils.translation import gettext_lazy as _


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, delete my account and all my results. This cannot be undone."),
        error_messages={
            "required": _("Tick the box to confirm that you want to delete your account.")
        },
    )
