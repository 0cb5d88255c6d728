from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from willow.image import Image as WillowImage

from .models import validate_accent_colour

MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_PIXELS = 4000


class EditionForm(forms.Form):
    name = forms.CharField(label=_("Library name"), max_length=120)
    hostname = forms.CharField(
        label=_("Hostname"),
        max_length=253,
        help_text=_("The address of the edition, e.g. bibliotek.kommun.se"),
    )
    municipality = forms.CharField(label=_("Municipality"), max_length=120, required=False)
    accent_colour = forms.CharField(
        label=_("Accent colour"),
        max_length=7,
        required=False,
        validators=[validate_accent_colour],
        help_text=_("#rrggbb, dark enough for white text."),
    )
    logo = forms.FileField(
        label=_("Logo"), required=False, help_text=_("PNG, JPEG or SVG, at most 2 MB.")
    )

    def clean_hostname(self):
        return self.cleaned_data["hostname"].strip().lower()

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if not logo:
            return logo
        if logo.size > MAX_LOGO_BYTES:
            raise ValidationError(_("The logo is too large (at most 2 MB)."))
        try:
            image = WillowImage.open(logo)
            width, height = image.get_size()
        except Exception:  # noqa: BLE001 - anything Willow cannot read is not an image
            raise ValidationError(_("The logo is not an image we can read.")) from None
        if max(width, height) > MAX_LOGO_PIXELS:
            raise ValidationError(_("The logo is too large (at most 4000 pixels wide)."))
        logo.seek(0)
        return logo


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, I understand"), error_messages={"required": _("Tick the box to confirm.")}
    )
