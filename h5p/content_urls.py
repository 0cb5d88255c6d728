"""URLs of the content origin (selected by ``h5p.middleware`` per request).

The player's own files are static files served by the middleware; these are
the player page and the package files from storage.
"""

from django.urls import path, re_path

from . import views

urlpatterns = [
    path("h5p/play/<uuid:activity>/", views.player, name="h5p_player"),
    re_path(
        r"^h5p/content/(?P<activity>[0-9a-f-]{36})/(?P<path>.+)$",
        views.content_file,
        name="h5p_content_file",
    ),
    re_path(
        r"^h5p/libraries/(?P<folder>[\w.\-]+-\d{1,5}\.\d{1,5})/(?P<path>.+)$",
        views.library_file,
        name="h5p_library_file",
    ),
]

handler404 = "h5p.middleware.not_found"
