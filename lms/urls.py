from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from courses import views as course_views
from learning import views as learning_views

from . import views
from .api import api_router

urlpatterns = [
    # The admin's own login form is replaced by allauth's (rate limits, two-factor).
    path("admin/login/", views.admin_login_redirect, name="wagtailadmin_login"),
    path("admin/", include(wagtailadmin_urls)),
    path("dokument/", include(wagtaildocs_urls)),
    path("api/v2/", api_router.urls),
    path("healthz", views.healthz, name="healthz"),
    path("", include("editions.urls")),
]

if settings.DEBUG or getattr(settings, "SERVE_MEDIA", False):
    # Small installations without a separate media server (make run).
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", views.serve_media)]

urlpatterns += i18n_patterns(
    path("sok/", course_views.search, name="search"),
    # H5P results forwarded by the lesson page (the player itself is on the content origin).
    path(
        "lektion/<int:page_id>/h5p/<str:block_id>/",
        learning_views.answer_h5p,
        name="record_h5p_result",
    ),
    path("", include("learning.urls")),
    path("konto/", include("accounts.urls")),
    path("konto/", include("allauth.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

handler404 = "lms.views.page_not_found"
handler500 = "lms.views.server_error"
