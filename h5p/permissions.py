"""Who may do what with H5P activities: per collection, like Wagtail's images.

Each edition has its own collection, so an edition's editors add, change and delete
the activities of their own edition only. Installing new libraries is a separate,
platform-wide permission (`h5p.install_h5p_library`), checked by the import service.
"""

from wagtail.permission_policies.collections import CollectionOwnershipPermissionPolicy

from .models import H5PActivity

permission_policy = CollectionOwnershipPermissionPolicy(
    H5PActivity, auth_model=H5PActivity, owner_field_name="uploaded_by"
)
