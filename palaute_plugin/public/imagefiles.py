"""Photos served to browsers: JPEG, never sniffed, with a policy fit for an image."""

from django.http import FileResponse, Http404

#: A photo opened on its own is shown in the browser's image viewer, which styles its
#: page inline (the site's policy would block that, and the browser reports it). An
#: image runs nothing, so this is all its own policy allows; the site's CSP middleware
#: (django-csp) leaves a policy the response already has.
IMAGE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; " \
               "frame-ancestors 'none'"


def jpeg_response(handle):
    response = FileResponse(handle, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = IMAGE_POLICY
    return response


#: The sizes of a photo a page may ask for, and the field holding each.
PHOTO_SIZES = {"full": "image", "thumb": "thumbnail"}


def photo_response(photo, size):
    """``jpeg_response`` of ``photo``'s file of ``size`` (``PHOTO_SIZES``); 404 for no
    photo, another size, or a file gone (removed by retention, or never written)."""
    if photo is None or size not in PHOTO_SIZES:
        raise Http404
    try:
        handle = getattr(photo, PHOTO_SIZES[size]).open("rb")
    except (OSError, ValueError) as error:
        raise Http404 from error
    return jpeg_response(handle)
