"""Photos in an S3 bucket (``STORAGES["palaute_photos"]`` = django-storages' S3 backend).

A local S3 server (moto's server mode, on 127.0.0.1) is started by the test: nothing
reaches the internet. The bucket is private; staff get photos only through the
permission-checked view, and no bucket address is ever put in a page.
"""

import socket
import urllib.error
import urllib.request

import boto3
import pytest
from django.test import Client
from django.urls import reverse
from moto.server import ThreadedMotoServer

from palaute_plugin.models import Feedback, FeedbackPhoto
from palaute_plugin.staff.viewsets import feedback_viewset

from .admin_fixtures import admin_user, handled_category, handler_of
from .test_public_form import form_data, jpeg_file, post

pytestmark = pytest.mark.django_db

BUCKET = "city-feedback-private"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3_endpoint(monkeypatch, tmp_path):
    # Only the keys given here: no credentials or config of the machine are looked up.
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
                        "AWS_CONFIG_FILE": str(tmp_path / "none"),
                        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}.items():
        monkeypatch.setenv(name, value)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        yield endpoint
    finally:
        server.stop()


@pytest.fixture
def s3(s3_endpoint):
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_bucket(Bucket=BUCKET, ACL="private")
    return client


@pytest.fixture
def s3_photos(settings, s3_endpoint, s3):
    settings.STORAGES = {
        **settings.STORAGES,
        "palaute_photos": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET, "endpoint_url": s3_endpoint, "region_name": "us-east-1",
                "access_key": "testing", "secret_key": "testing",
                "default_acl": "private", "querystring_auth": True, "file_overwrite": False,
            },
        },
    }
    return s3


def bucket_keys(s3):
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def anonymous_get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (local server)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def category():
    return handled_category("Katuvalaistuksen käsittelijät", name_fi="Katuvalaistus")


def test_photos_go_to_the_private_bucket_and_only_staff_see_them(s3_photos, s3_endpoint,
                                                                  category):
    from tests.factories import feedback_page

    page = feedback_page()
    response = post(Client(), page, form_data(category, photos=[jpeg_file()]))
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    photo = FeedbackPhoto.objects.get(feedback=feedback)

    # The cleaning task ran after commit (tasks are synchronous in tests): the image and
    # its thumbnail are objects in the bucket, and the raw upload is gone.
    assert photo.state == FeedbackPhoto.State.READY
    keys = bucket_keys(s3_photos)
    assert sorted([photo.image.name, photo.thumbnail.name]) == keys
    assert not any(key.endswith(".upload") for key in keys)
    stored = s3_photos.get_object(Bucket=BUCKET, Key=photo.image.name)["Body"].read()
    assert stored[:3] == b"\xff\xd8\xff"  # a JPEG

    # Private: the bucket refuses an unsigned request for each object, and neither the
    # objects nor the bucket grant anything to everyone. (moto does not check ACLs on
    # an anonymous bucket listing, so the grants are checked for that.)
    for key in keys:
        assert anonymous_get(f"{s3_endpoint}/{BUCKET}/{key}") == 403
        grants = s3_photos.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
        assert grants and all("AllUsers" not in str(g["Grantee"]) for g in grants)
    grants = s3_photos.get_bucket_acl(Bucket=BUCKET)["Grants"]
    assert grants and all("AllUsers" not in str(g["Grantee"]) for g in grants)

    # The handler gets the photo through the plugin's view, streamed from the bucket.
    handler = handler_of(category, username="valaistus")
    staff = Client()
    staff.force_login(handler)
    view = staff.get(reverse(feedback_viewset.get_url_name("photo"), args=[photo.pk, "full"]))
    assert view.status_code == 200
    assert view["Content-Type"] == "image/jpeg"
    assert b"".join(view.streaming_content) == stored
    assert {"private", "no-store"} <= set(view["Cache-Control"].replace(" ", "").split(","))

    # No page puts a bucket address (signed or not) in front of anyone.
    detail = staff.get(reverse(feedback_viewset.get_url_name("inspect"), args=[feedback.pk]))
    assert detail.status_code == 200
    receipt = Client().get(response["Location"])
    for html in (detail.content.decode(), receipt.content.decode()):
        assert s3_endpoint not in html and BUCKET not in html and "X-Amz-" not in html
    assert reverse(feedback_viewset.get_url_name("photo"), args=[photo.pk, "thumb"]) in detail.content.decode()

    # Staff of another category, and anonymous visitors, get nothing.
    other = handler_of(handled_category("Asumisen käsittelijät"), username="asuminen")
    outsider = Client()
    outsider.force_login(other)
    url = reverse(feedback_viewset.get_url_name("photo"), args=[photo.pk, "full"])
    assert outsider.get(url).status_code == 404
    assert Client().get(url).status_code == 302
    nobody = Client()
    nobody.force_login(admin_user(username="toimittaja"))
    assert nobody.get(url).status_code == 404


def test_the_sweep_finds_raw_uploads_no_row_names_in_the_bucket(s3_photos, category):
    """A web process killed between writing the upload and its commit, on S3."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from palaute_plugin.photos import store
    from palaute_plugin.photos.storage import photo_storage

    storage = photo_storage()
    for name in ("raw/a1.upload", "pending/b2.upload", "pending/b2.jpg"):
        storage.save(name, ContentFile(b"x"))
    hour_ago = timezone.now() - timedelta(hours=1)
    assert store.delete_unnamed_uploads(hour_ago) == 0  # written just now
    assert store.delete_unnamed_uploads(timezone.now() + timedelta(minutes=1)) == 2
    left = [key for key in bucket_keys(s3_photos) if key.startswith(("raw/", "pending/"))]
    assert left == ["pending/b2.jpg"]
