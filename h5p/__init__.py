"""H5P support for Klartänkt.

``h5p.package`` is a pure-Python reader that validates and extracts ``.h5p``
packages; it does not depend on Django.
"""
