"""HTTP-level tests of lamin serve: hostile text escaped on every page, no path outside the
storage served, the loopback and token rules, read-only by default, bounded and robust."""

from __future__ import annotations

import http.client
import json
import os
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from conftest import HOSTILE, serve, uid_of


def get(url: str, headers: dict | None = None, method: str = "GET", data: bytes | None = None):
    req = urllib.request.Request(url, headers=headers or {}, method=method, data=data)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def raw(server, request: bytes) -> bytes:
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(request)
        chunks = []
        while True:
            try:
                c = s.recv(65536)
            except socket.timeout:
                break
            if not c:
                break
            chunks.append(c)
        return b"".join(chunks)


def pages(server):
    work, env = server.work, server.env
    evil = uid_of(f"{HOSTILE}/x.txt", work, env)
    out = uid_of("results/n_reads.txt", work, env)
    artifact = json.loads(get(server.url + f"api/artifacts/{out}")[2])
    run_uid = artifact["run"]["uid"]
    collections = json.loads(get(server.url + "api/records/collection")[2])
    plate = uid_of("plates/plate", work, env)
    return ["artifacts", f"artifact/{evil}", f"artifact/{out}", f"artifact/{plate}", f"run/{run_uid}", "runs",
            "transforms", "collections", f"collection/{collections[0]['uid']}", "ulabels",
            "features", f"artifacts?q={HOSTILE}", f"artifacts?key={HOSTILE}"]


def test_every_page_escapes_hostile_text(server):
    for page in pages(server):
        status, headers, body = get(server.url + page.replace("<", "%3C").replace(">", "%3E")
                                    .replace("(", "%28").replace(")", "%29"))
        assert status == 200, (page, status, body[:300])
        text = body.decode()
        assert HOSTILE not in text, page
        assert "<script" not in text, page
        assert "script-src" not in headers["Content-Security-Policy"]
        assert headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert headers["X-Content-Type-Options"] == "nosniff"
    # the hostile texts are shown, as text
    evil_page = get(server.url + f"artifact/{uid_of(f'{HOSTILE}/x.txt', server.work, server.env)}")[2].decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in evil_page


def test_the_artifact_page_shows_labels_features_lineage_and_collections(server):
    out = uid_of("results/n_reads.txt", server.work, server.env)
    text = get(server.url + f"artifact/{out}")[2].decode()
    assert "count.sh" in text and "<svg" in text
    assert 'href="/artifact/' in text and 'href="/run/' in text  # clickable nodes
    assert "shards" in text
    reads = uid_of("raw/reads.fasta", server.work, server.env)
    assert f"/artifact/{reads}/download" in get(server.url + f"artifact/{reads}")[2].decode()


def test_download_is_verified_and_takes_ranges(server):
    reads = uid_of("raw/reads.fasta", server.work, server.env)
    status, headers, body = get(server.url + f"artifact/{reads}/download")
    assert status == 200 and body == b">seq1\nACGT\n"
    assert headers["Content-Disposition"] == 'attachment; filename="reads.fasta"'
    status, headers, body = get(server.url + f"artifact/{reads}/download", {"Range": "bytes=1-4"})
    assert status == 206 and body == b"seq1" and headers["Content-Range"] == "bytes 1-4/11"


@pytest.mark.parametrize("path", [
    "artifact/../../../../etc/passwd", "artifact/%2e%2e%2f%2e%2e%2fetc%2fpasswd/download",
    "artifact/..%2F..%2Fetc%2Fpasswd/download", "artifact/%252e%252e%252fetc/download",
    "artifact/aaaaaaaaaaaaaaaa/../../etc/passwd", "api/records/..%2f..%2fetc",
    "artifact//etc/passwd/download", "static/../../etc/passwd",
])
def test_no_path_names_a_file(server, path):
    status, _, body = get(server.url + path)
    assert status in (400, 404), (path, status)
    assert b"root:" not in body


def test_an_object_replaced_by_a_link_outside_is_not_served(instance):
    work, env = instance
    from conftest import lamin

    (work / "victim.txt").write_text("victim")
    uid = json.loads(lamin("save", "victim.txt", "--key", "victim.txt", "--json", cwd=work, env=env))
    uid = uid[0]["uid"] if isinstance(uid, list) else uid["uid"]
    obj = work / "data" / ".lamindb" / f"{uid}.txt"
    obj.chmod(0o644)
    obj.unlink()
    secret = work / "outside.txt"
    secret.write_text("victim")  # even with the right bytes: outside the storage
    obj.symlink_to(secret)
    s = serve(work, env)
    try:
        status, _, body = get(s.url + f"artifact/{uid}/download")
        assert status == 403 and b"victim" not in body
        obj.unlink()
        obj.write_text("tamper")  # same size, other bytes: the hash refuses it
        status, _, body = get(s.url + f"artifact/{uid}/download")
        assert status == 502 and b"tamper" not in body
    finally:
        s.stop()


def test_only_this_machines_names_are_answered(server):
    assert get(server.url + "artifacts", {"Host": "evil.example:80"})[0] == 403
    port = urlsplit(server.url).port
    assert get(server.url + "artifacts", {"Host": f"localhost:{port}"})[0] == 200


def test_another_address_needs_the_token(instance):
    work, env = instance
    s = serve(work, env, "--host", "127.0.0.2")
    try:
        assert "?token=" in s.url
        base = s.url.split("?")[0]
        token = s.url.split("token=")[1]
        assert get(base + "artifacts")[0] == 401
        assert get(base + "artifacts?token=" + "0" * len(token))[0] == 401
        assert get(base + "api/info", {"Authorization": "Bearer " + token})[0] == 200
        status, headers, _ = get(base + "artifacts?token=" + token)
        assert status == 200 and "HttpOnly" in headers["Set-Cookie"]
        assert get(base + "artifacts", {"Cookie": f"lamin_token={token}"})[0] == 200
    finally:
        s.stop()


def test_read_only_unless_allowed(instance, server):
    work, env = instance
    reads = uid_of("raw/reads.fasta", work, env)
    assert get(server.url + f"api/artifacts/{reads}/trash", method="POST", data=b"")[0] == 403
    s = serve(work, env, "--allow-writes")
    try:
        origin = {"Origin": "http://evil.example"}
        assert get(s.url + f"api/artifacts/{reads}/trash", origin, "POST", b"")[0] == 403
        status, _, body = get(s.url + f"api/artifacts/{reads}/trash", method="POST", data=b"")
        assert status == 200 and json.loads(body)["uid"] == reads
        status, _, body = get(s.url + f"api/artifacts/{reads}/restore", method="POST", data=b"")
        assert status == 200
    finally:
        s.stop()


def test_api_uses_the_librarys_json_and_reports_bad_queries(server):
    rows = json.loads(get(server.url + "api/artifacts?key__startswith=raw/&limit=5")[2])
    assert [r["key"] for r in rows] == ["raw/reads.fasta"]
    assert set(rows[0]) >= {"uid", "key", "hash", "size", "storage_key", "is_latest"}
    status, _, body = get(server.url + "api/artifacts?nosuchfield=1")
    assert status == 400 and json.loads(body)["error"]["code"] == "InvalidArgument"
    assert get(server.url + "api/artifacts?limit=-1")[0] == 400
    assert len(json.loads(get(server.url + "api/artifacts?limit=100000")[2])) <= 1000
    info = json.loads(get(server.url + "api/info")[2])
    assert info["name"] == "web"
    hits = json.loads(get(server.url + "api/search?q=demo")[2])
    assert hits[0]["record"]["key"] == "raw/reads.fasta"


def test_bounded_and_malformed_requests(server):
    port = urlsplit(server.url).port
    big = raw(server, f"POST /api/info HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                      f"Content-Length: {64 * 1024 * 1024}\r\n\r\n".encode())
    # refused before its body is read (403: a write to a read-only server; 413: too large)
    assert big.startswith((b"HTTP/1.1 403", b"HTTP/1.1 413")), big[:100]
    garbage = raw(server, b"\x00\x01garbage\r\n\r\n")
    assert garbage.startswith(b"HTTP/1.1 400") or garbage == b"", garbage[:100]
    long_uri = raw(server, b"GET /" + b"a" * 20000 + f" HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    assert long_uri.startswith((b"HTTP/1.1 400", b"HTTP/1.1 404", b"HTTP/1.1 414")) or long_uri == b"", long_uri[:100]
    assert get(server.url + "api/info")[0] == 200  # still serving


def test_a_slow_client_does_not_block_others(server):
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    slow = [socket.create_connection((host, port)) for _ in range(4)]
    try:
        for s in slow:
            s.sendall(b"GET /artifacts HTTP/1.1\r\nHost: ")  # and never finishes
        t0 = time.perf_counter()
        for _ in range(10):
            assert get(server.url + "api/info")[0] == 200
        assert time.perf_counter() - t0 < 5
    finally:
        for s in slow:
            s.close()


def test_cursor_pages_hide_the_trash(instance, server):
    work, env = instance
    from conftest import lamin

    (work / "trashme.txt").write_text("trash me")
    lamin("save", "trashme.txt", "--key", "trashme.txt", cwd=work, env=env)
    uid = uid_of("trashme.txt", work, env)
    lamin("delete", "artifact", "--key", "trashme.txt", cwd=work, env=env)
    trashed = json.loads(get(server.url + "api/artifacts?branch_id=-1")[2])
    assert uid in [a["uid"] for a in trashed]
    page = get(server.url + "artifacts?before=100000000")[2].decode()
    first = get(server.url + "artifacts")[2].decode()
    assert "raw/reads.fasta" in page and uid not in page and uid not in first


def test_a_folder_artifact_lists_its_files(server):
    plate = uid_of("plates/plate", server.work, server.env)
    text = get(server.url + f"artifact/{plate}")[2].decode()
    assert "a.csv" in text and "well.txt" in text and "download (verified)" not in text
    assert get(server.url + f"artifact/{plate}/download")[0] == 400
