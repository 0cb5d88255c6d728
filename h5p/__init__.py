"""H5P support for Klartänkt.

``h5p.package`` is a pure-Python reader that validates and extracts ``.h5p``
packages; it does not depend on Django. The rest is the Django app: models,
the import service, the admin, the lesson block, and the separate content
origin that plays packages (see docs/h5p.md).
"""
