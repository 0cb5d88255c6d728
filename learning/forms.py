from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Learner


class DisplayNameForm(forms.ModelForm):
    class Meta:
        model = Learner
        fields = ["display_name"]
        labels = {"display_name": _("Name on the certificate (optional)")}
        help_texts = {"display_name": _("Leave empty to print the certificate without a name.")}
