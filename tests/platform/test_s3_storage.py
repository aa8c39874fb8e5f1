"""Media on S3: files are private, handed out through short-lived presigned URLs."""

from urllib.parse import parse_qs, urlsplit

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages

from tests.platform import processes


def test_default_storage_writes_private_objects_to_the_bucket(s3_storage):
    from storages.backends.s3 import S3Storage

    assert isinstance(storages["default"], S3Storage)
    assert default_storage.bucket_name == s3_storage.bucket

    name = default_storage.save("stories/2024/clip.txt", ContentFile(b"hello s3"))

    listed = s3_storage.client.list_objects_v2(Bucket=s3_storage.bucket)
    assert [obj["Key"] for obj in listed.get("Contents", [])] == [name]
    assert s3_storage.client.get_object(Bucket=s3_storage.bucket, Key=name)["Body"].read() == b"hello s3"

    url = default_storage.url(name)
    query = parse_qs(urlsplit(url).query)
    # SigV4 (X-Amz-Expires) or SigV2 (Expires): either way a signed URL with an expiry.
    assert {"X-Amz-Signature", "X-Amz-Expires"} <= query.keys() or {"Signature", "Expires"} <= query.keys(), (
        url
    )
    if "X-Amz-Expires" in query:
        assert query["X-Amz-Expires"] == ["300"]
    status, _, body = processes.http_get(url)
    assert (status, body) == (200, b"hello s3")

    # The same object without a signature: refused.
    plain = f"{s3_storage.endpoint_url}/{s3_storage.bucket}/{name}"
    status, _, _ = processes.http_get(plain)
    assert status == 403


def test_storage_is_restored_after_the_s3_test():
    from django.core.files.storage import FileSystemStorage

    assert isinstance(storages["default"], FileSystemStorage)
