"""Where uploaded files live: one small interface, with a folder or an S3 bucket behind it.

Keys are random (new_key), never derived from what a person uploaded, so a file name can
neither collide with another nor climb out of the store. The database row that points at a
file holds its key; the prune job compares keys() with those rows.
"""

import io
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Protocol, cast
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app

EXTENSION = "psp_storage"
# Letters, digits, "_" and "-" in segments joined by single slashes: no dots, so no "..".
KEY = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*")
KEY_MAX_LENGTH = 200


class Storage(Protocol):
    """What the rest of the app may ask of a file store."""

    def save(self, key: str, stream: IO[bytes], content_type: str) -> None:
        """Store the stream, read to its end, under key (replacing what was there)."""
        ...

    def open(self, key: str) -> IO[bytes]:
        """A readable binary stream the caller closes; FileNotFoundError when missing."""
        ...

    def delete(self, key: str) -> None:
        """Remove the file; a missing key is not an error, so deleting twice is safe."""
        ...

    def keys(self) -> Iterator[str]:
        """Every stored key, so a prune job can find files no row points at."""
        ...


def new_key() -> str:
    """A random key, sharded by its first two characters so no folder grows huge."""
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}"


def check_key(key: str) -> str:
    """The key itself, or ValueError: a key must never reach outside the store."""
    if len(key) > KEY_MAX_LENGTH or not KEY.fullmatch(key) or ".." in key:
        raise ValueError(f"Not a storage key: {key!r}")
    return key


class FolderStorage:
    """Files in a folder: the instance folder's files/ unless STORAGE_URL names another."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def save(self, key: str, stream: IO[bytes], content_type: str) -> None:
        """Write beside the target and rename, so the key never names a half-written file."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                shutil.copyfileobj(stream, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> IO[bytes]:
        path = self._path(key)
        if path.is_dir():  # a shard folder is not a stored file
            raise FileNotFoundError(f"No stored file {key!r}")
        return path.open("rb")

    def delete(self, key: str) -> None:
        path = self._path(key)
        if not path.is_dir():
            path.unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        """Stored keys only: temporary files start with "." and are not keys."""
        for folder, _subfolders, files in os.walk(self.root):
            for name in files:
                key = (Path(folder) / name).relative_to(self.root).as_posix()
                if KEY.fullmatch(key):
                    yield key


class S3Client(Protocol):
    """The part of boto3's S3 client this module uses (boto3 ships no type hints)."""

    def upload_fileobj(self, Fileobj: io.RawIOBase, Bucket: str, Key: str,
                       ExtraArgs: Mapping[str, Any] | None = None) -> None: ...

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]: ...

    def delete_object(self, *, Bucket: str, Key: str) -> dict[str, Any]: ...

    def get_paginator(self, operation_name: str) -> Any: ...


class S3Storage:
    """Objects in an S3 bucket (or an S3-compatible store), under an optional prefix.

    Objects are written without an ACL, so they stay as private as the bucket: every download
    goes through the app and its access check, never to the bucket directly.
    """

    def __init__(self, bucket: str, prefix: str, client: S3Client, page_size: int = 1000) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client
        self.page_size = page_size  # keys listed per request (S3's maximum is 1,000)

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def save(self, key: str, stream: IO[bytes], content_type: str) -> None:
        """upload_fileobj sends a large file in parts rather than whole. It closes the stream it
        is given, so it is given a view that leaves the caller's stream open."""
        self.client.upload_fileobj(_Unclosable(stream), self.bucket, self._name(key),
                                   ExtraArgs={"ContentType": content_type})

    def open(self, key: str) -> IO[bytes]:
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
                raise FileNotFoundError(f"No stored file {key!r}") from error
            raise
        # botocore's StreamingBody is an io.IOBase that reads from the open response.
        return cast(IO[bytes], response["Body"])

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def keys(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix, PaginationConfig={"PageSize": self.page_size})
        for page in pages:
            for item in page.get("Contents", []):
                key = item["Key"][len(self.prefix):]
                if KEY.fullmatch(key):
                    yield key


class _Unclosable(io.RawIOBase):
    """Reads through to a stream whose owner, not the uploader, decides when it closes."""

    def __init__(self, stream: IO[bytes]) -> None:
        super().__init__()
        self.stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.stream.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def from_config(config: Mapping[str, Any], instance_path: str) -> Storage:
    """The backend STORAGE_URL names; RuntimeError at start-up for one it cannot be."""
    url = config.get("STORAGE_URL", "") or ""
    if not url:
        return FolderStorage(os.path.join(instance_path, "files"))
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = unquote(parts.path)
        if parts.netloc not in {"", "localhost"} or not os.path.isabs(path):
            raise RuntimeError(f"STORAGE_URL must name an absolute folder, as file:///srv/psp/files "
                               f"(got {url!r}).")
        return FolderStorage(path)
    if parts.scheme == "s3":
        if not parts.hostname:
            raise RuntimeError("STORAGE_URL must name a bucket, as s3://bucket or s3://bucket/prefix.")
        return S3Storage(parts.hostname, unquote(parts.path), _s3_client(config))
    # Only the scheme is repeated: the rest of a URL may hold a password.
    raise RuntimeError(f"STORAGE_URL has an unknown scheme {parts.scheme!r}: use file:///folder "
                       "or s3://bucket/prefix, or leave it empty for the instance folder.")


def _s3_client(config: Mapping[str, Any]) -> S3Client:
    """A client from boto3's usual credentials (AWS_ACCESS_KEY_ID, ...); path-style addressing
    when an endpoint is given, as MinIO and most S3-compatible stores expect."""
    import boto3
    from botocore.config import Config

    endpoint = config.get("S3_ENDPOINT_URL") or None
    addressing = {"addressing_style": "path"} if endpoint else {}
    return cast(S3Client, boto3.client(
        "s3", endpoint_url=endpoint, region_name=config.get("S3_REGION") or "eu-west-2",
        config=Config(signature_version="s3v4", s3=addressing)))


def init_app(app: Flask) -> None:
    """Build the backend once, at start-up, so a wrong STORAGE_URL stops the app early."""
    app.extensions[EXTENSION] = from_config(app.config, app.instance_path)


def storage() -> Storage:
    """The current app's file store."""
    return cast(Storage, current_app.extensions[EXTENSION])
