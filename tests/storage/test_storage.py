"""One suite both backends pass: a folder and a real S3-speaking server on loopback."""

import io
import os

import pytest
from flask import Flask

from psp import create_app, storage
from psp.storage import FolderStorage, S3Storage, new_key


@pytest.fixture(params=["folder", "s3"])
def store(request, tmp_path):
    if request.param == "folder":
        return FolderStorage(tmp_path / "files")
    return request.getfixturevalue("s3_storage")


def read(store, key):
    with store.open(key) as stream:
        return stream.read()


def test_a_saved_file_reads_back(store):
    key = new_key()
    store.save(key, io.BytesIO(b"minutes of the June meeting"), "text/plain")
    assert read(store, key) == b"minutes of the June meeting"


def test_saving_reads_the_stream_from_where_it_stands_to_its_end(store):
    stream = io.BytesIO(b"skip-this|keep this")
    stream.seek(10)
    store.save("a/b", stream, "text/plain")
    assert read(store, "a/b") == b"keep this"
    assert stream.read() == b""


def test_saving_under_the_same_key_replaces_the_file(store):
    store.save("report", io.BytesIO(b"first draft, longer than the second"), "text/plain")
    store.save("report", io.BytesIO(b"second"), "text/plain")
    assert read(store, "report") == b"second"
    assert list(store.keys()) == ["report"]


def test_a_deleted_file_is_gone_and_deleting_again_is_fine(store):
    store.save("gone", io.BytesIO(b"x"), "text/plain")
    store.save("kept", io.BytesIO(b"y"), "text/plain")
    store.delete("gone")
    with pytest.raises(FileNotFoundError):
        store.open("gone")
    store.delete("gone")
    store.delete("never-saved")
    assert list(store.keys()) == ["kept"]


def test_opening_a_missing_key_raises_file_not_found(store):
    with pytest.raises(FileNotFoundError):
        store.open(new_key())


def test_keys_lists_every_saved_key(store):
    saved = {new_key() for _ in range(5)} | {"plain", "deep/er/still"}
    for key in saved:
        store.save(key, io.BytesIO(key.encode()), "text/plain")
    assert sorted(store.keys()) == sorted(saved)
    assert all(read(store, key) == key.encode() for key in saved)


def test_an_empty_store_has_no_keys(store):
    assert list(store.keys()) == []


def test_a_large_stream_round_trips(store):
    data = os.urandom(3 * 1024 * 1024 + 17)
    store.save("large", io.BytesIO(data), "application/pdf")
    assert read(store, "large") == data


@pytest.mark.parametrize("key", ["../escape", "a/../../b", "/etc/passwd", "a//b", "a/", "", "name.pdf",
                                 "spaces here", "back\\slash", "ünïcode", "x" * 201, "a/./b", "."])
def test_keys_that_could_reach_outside_the_store_are_refused(store, key, tmp_path):
    with pytest.raises(ValueError):
        store.save(key, io.BytesIO(b"x"), "text/plain")
    with pytest.raises(ValueError):
        store.open(key)
    with pytest.raises(ValueError):
        store.delete(key)
    assert list(store.keys()) == []
    assert not (tmp_path / "escape").exists()


def test_new_keys_are_random_url_safe_and_valid():
    keys = {new_key() for _ in range(200)}
    assert len(keys) == 200
    for key in keys:
        shard, name = key.split("/")
        assert len(name) == 32 and name.startswith(shard) and len(shard) == 2
        assert storage.check_key(key) == key


class Exploding(io.RawIOBase):
    """A stream that fails part-way, as an upload cut off mid-transfer does."""

    def __init__(self):
        self.sent = False

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.sent:
            raise OSError("connection lost")
        self.sent = True
        buffer[:4] = b"half"
        return 4


def test_a_failed_save_leaves_neither_a_half_file_nor_a_temporary_one(tmp_path):
    store = FolderStorage(tmp_path)
    store.save("doc", io.BytesIO(b"the whole old file"), "text/plain")
    with pytest.raises(OSError, match="connection lost"):
        store.save("doc", Exploding(), "text/plain")
    assert read(store, "doc") == b"the whole old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc"]


def test_the_folder_store_ignores_stray_files_and_shard_folders(tmp_path):
    store = FolderStorage(tmp_path)
    key = new_key()
    store.save(key, io.BytesIO(b"x"), "text/plain")
    (tmp_path / ".tmp123.part").write_bytes(b"half")
    (tmp_path / "notes.txt").write_bytes(b"not a key")
    assert list(store.keys()) == [key]
    shard = key.split("/")[0]
    with pytest.raises(FileNotFoundError):
        store.open(shard)
    store.delete(shard)
    assert read(store, key) == b"x"


def test_s3_objects_sit_under_the_prefix_with_their_type_and_stay_private(s3_client, s3_bucket):
    store = S3Storage(s3_bucket, "/psp/uploads", s3_client)
    s3_client.put_object(Bucket=s3_bucket, Key="elsewhere", Body=b"not ours")
    store.save("ab/abc", io.BytesIO(b"%PDF-1.7"), "application/pdf")
    head = s3_client.head_object(Bucket=s3_bucket, Key="psp/uploads/ab/abc")
    assert head["ContentType"] == "application/pdf"
    grants = s3_client.get_object_acl(Bucket=s3_bucket, Key="psp/uploads/ab/abc")["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert all("URI" not in grant["Grantee"] for grant in grants)  # no AllUsers / AuthenticatedUsers
    assert list(store.keys()) == ["ab/abc"]


def test_s3_keys_follows_every_page_of_the_listing(s3_client, s3_bucket):
    store = S3Storage(s3_bucket, "", s3_client, page_size=2)
    for number in range(7):
        s3_client.put_object(Bucket=s3_bucket, Key=f"k{number}", Body=b"")
    assert sorted(store.keys()) == [f"k{number}" for number in range(7)]


# Choosing the backend from configuration


def _app(tmp_path, **config):
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    app.config.update(config)
    storage.init_app(app)
    return app


def test_the_instance_folder_is_the_default(tmp_path):
    app = _app(tmp_path, STORAGE_URL="")
    with app.app_context():
        chosen = storage.storage()
    assert isinstance(chosen, FolderStorage)
    assert chosen.root == tmp_path / "instance" / "files"


def test_a_file_url_names_the_folder(tmp_path):
    app = _app(tmp_path, STORAGE_URL=f"file://{tmp_path}/shared%20files")
    with app.app_context():
        chosen = storage.storage()
        chosen.save("k", io.BytesIO(b"x"), "text/plain")
    assert isinstance(chosen, FolderStorage)
    assert (tmp_path / "shared files" / "k").read_bytes() == b"x"


def test_an_s3_url_names_the_bucket_and_prefix_and_the_endpoint_comes_from_config(
        tmp_path, s3_server, s3_client, s3_bucket, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    app = _app(tmp_path, STORAGE_URL=f"s3://{s3_bucket}/psp/files", S3_ENDPOINT_URL=s3_server,
               S3_REGION="eu-west-2")
    with app.app_context():
        chosen = storage.storage()
    assert isinstance(chosen, S3Storage)
    assert (chosen.bucket, chosen.prefix) == (s3_bucket, "psp/files/")
    try:
        chosen.save("k", io.BytesIO(b"through the configured endpoint"), "text/plain")
        body = s3_client.get_object(Bucket=s3_bucket, Key="psp/files/k")["Body"]
        with body:
            assert body.read() == b"through the configured endpoint"
    finally:
        chosen.client.close()


@pytest.mark.parametrize("url, message", [
    ("ftp://files.example.org/psp", "unknown scheme 'ftp'"),
    ("https://user:secret@bucket.example.org/", "unknown scheme 'https'"),
    ("file://relative/path", "absolute folder"),
    ("s3:///prefix-without-bucket", "must name a bucket"),
])
def test_a_storage_url_it_cannot_use_stops_the_app_at_start_up(tmp_path, url, message):
    with pytest.raises(RuntimeError, match=message) as refused:
        _app(tmp_path, STORAGE_URL=url)
    assert "secret" not in str(refused.value)


def test_create_app_registers_the_store(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "STORAGE_URL": f"file://{tmp_path}"})
    with app.app_context():
        assert isinstance(storage.storage(), FolderStorage)
        assert storage.storage().root == tmp_path


def test_the_test_app_keeps_files_out_of_the_instance_folder_and_s3_app_swaps_in_s3(
        app, s3_client, s3_bucket, request):
    with app.app_context():
        folder = storage.storage()
    assert isinstance(folder, FolderStorage)
    assert not str(folder.root).startswith(app.instance_path)
    s3_app = request.getfixturevalue("s3_app")
    with s3_app.app_context():
        storage.storage().save("k", io.BytesIO(b"in the bucket"), "text/plain")
    body = s3_client.get_object(Bucket=s3_bucket, Key="uploads/k")["Body"]
    with body:
        assert body.read() == b"in the bucket"
