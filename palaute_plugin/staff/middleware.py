"""The staff member's own admin language for the whole admin request.

Wagtail activates the language a staff member chose (Account → Language) inside its
admin views only. What happens around them stays in the browser's language, or the
site's: its "Sorry, you do not have permission to access this area." message (written
after the view has refused), an admin 404 page. A Swedish handler whose browser asks
for Finnish read those in Finnish.

Add ``palaute_plugin.staff.middleware.AdminLanguageMiddleware`` after
``AuthenticationMiddleware``. It reads the profile Wagtail reads anyway (the user
object keeps it, so the request makes no extra query).
"""

from django.core.exceptions import ObjectDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils import translation


class AdminLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def in_admin(request):
        try:
            return request.path_info.startswith(reverse("wagtailadmin_home"))
        except NoReverseMatch:  # a URLconf without the admin
            return False

    def __call__(self, request):
        language = self.preferred_language(request)
        if language is None:
            return self.get_response(request)
        # The view's exceptions become responses (a 404 page) inside the handler, and
        # template responses are rendered there too: both within the override.
        with translation.override(language):
            return self.get_response(request)

    def preferred_language(self, request):
        if not self.in_admin(request):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        try:
            profile = user.wagtail_userprofile
        except ObjectDoesNotExist:
            return None
        return profile.preferred_language or None
