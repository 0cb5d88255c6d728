"""Remove an activity's files from storage once its row is really gone."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import H5PActivity
from .services import delete_activity_files


@receiver(post_delete, sender=H5PActivity, dispatch_uid="klartankt_h5p_delete_files")
def delete_files(sender, instance, **kwargs):
    transaction.on_commit(lambda: delete_activity_files(instance))
