"""GET /api/v1/documents/{source}: the cited document from the index, never from the disk."""

from __future__ import annotations

import builtins
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.api.routes_documents import MALFORMED, UNKNOWN, well_formed
from tests.api.conftest import ENGINEER, start

RELEASE = "codec/release-notes/9.4.1.md"
BULLETIN = "codec/bulletins/sb-01.md"
URL = "/api/v1/documents/"


@pytest.fixture
def customer(kb_client: TestClient) -> tuple[dict[str, str], dict[str, str]]:
    sid, auth = start(kb_client)
    return {"session_id": sid}, auth


@pytest.fixture
def no_file_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every open() of a file while the fixture is active, by any of the usual doors."""
    opened: list[Any] = []

    def spy(real: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            opened.append(args[0] if args else kwargs)
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(builtins, "open", spy(builtins.open))
    monkeypatch.setattr(io, "open", spy(io.open))
    monkeypatch.setattr(os, "open", spy(os.open))
    yield opened


def test_a_citation_source_opens_its_document_in_order(
    kb_client: TestClient, customer: tuple[dict[str, str], dict[str, str]]
) -> None:
    found = kb_client.get("/api/v1/search", params={"q": "CX-4821 fixed"}, headers=ENGINEER)
    sources = [c["source"] for c in found.json()["citations"]]
    assert RELEASE in sources or "codec/patch-notes/9.4.1.txt" in sources
    params, auth = customer
    r = kb_client.get(URL + RELEASE, params=params, headers=auth)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert (doc["source"], doc["title"], doc["product"]) == (
        RELEASE,
        "Codec 9.4.1 Release Notes",
        "codec",
    )
    assert doc["version"] == "9.4.1" and doc["versions"] == ["9.4.1"]
    assert [s["section"] for s in doc["sections"]] == ["Fixed issues", "Known issues"]
    kb = kb_client.app.state.service.runtime.kb  # type: ignore[attr-defined]
    indexed = sorted(
        (c for c in kb.retriever.chunks if c.source == RELEASE), key=lambda c: c.position
    )
    assert [p for s in doc["sections"] for p in s["passages"]] == [c.text for c in indexed]
    assert "CX-4821" in doc["sections"][0]["passages"][0]


def test_engineer_only_documents_are_404_for_site_users_and_readable_by_engineers(
    kb_client: TestClient, customer: tuple[dict[str, str], dict[str, str]]
) -> None:
    params, auth = customer
    hidden = kb_client.get(URL + BULLETIN, params=params, headers=auth)
    unknown = kb_client.get(URL + "codec/bulletins/sb-99.md", params=params, headers=auth)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json()  # no hint that the bulletin exists
    assert "NV-PSU" not in hidden.text
    engineer = kb_client.get(URL + BULLETIN, headers=ENGINEER)
    assert engineer.status_code == 200 and engineer.json()["doc_type"] == "service_bulletin"
    assert "NV-PSU-180-B" in str(engineer.json()["sections"])


def test_reading_a_document_needs_a_session_token_or_an_engineer_key(
    kb_client: TestClient, customer: tuple[dict[str, str], dict[str, str]]
) -> None:
    params, auth = customer
    other_sid, other_auth = start(kb_client, "DEMOPLUS-5678")
    refused = [
        kb_client.get(URL + RELEASE),
        kb_client.get(URL + RELEASE, headers=auth),  # no session_id
        kb_client.get(URL + RELEASE, params=params),  # no token
        kb_client.get(URL + RELEASE, params=params, headers=other_auth),  # another site's token
        kb_client.get(URL + RELEASE, params={"session_id": other_sid}, headers=auth),
        kb_client.get(URL + RELEASE, params=params, headers={**auth, "X-API-Key": "wrong"}),
        kb_client.get(URL + RELEASE, headers={"X-API-Key": auth["Authorization"][7:]}),
    ]
    assert [r.status_code for r in refused] == [401] * len(refused)
    assert all(r.json()["error"]["code"] == "unauthorized" for r in refused)
    assert kb_client.get(URL + RELEASE, params=params, headers=auth).status_code == 200


HOSTILE_SOURCES = [
    ("../../etc/passwd", "Not Found"),  # the client resolves the dots: no route at all
    ("..%2F..%2Fetc%2Fpasswd", MALFORMED),
    ("%2E%2E/%2E%2E/etc/passwd", MALFORMED),
    ("%2Fetc%2Fpasswd", MALFORMED),
    ("/etc/passwd", MALFORMED),
    ("codec/%2E%2E/%2E%2E/secret.txt", MALFORMED),
    ("codec/release-notes/%2E%2E/release-notes/9.4.1.md", MALFORMED),
    ("codec/release-notes/9.4.1.md%00.txt", MALFORMED),
    ("codec/release-notes/9.4.1.md%09", MALFORMED),
    ("codec%5Crelease-notes%5C9.4.1.md", MALFORMED),
    ("C:%5Cwindows%5Cwin.ini", MALFORMED),
    ("C:/windows/win.ini", MALFORMED),
    ("~/secret.txt", MALFORMED),
    ("codec//release-notes/9.4.1.md", MALFORMED),
    ("a" * 1001, MALFORMED),
    ("docs/codec/release-notes/9.4.1.md", UNKNOWN),  # a real file, relative to the cwd
    ("secret.txt", UNKNOWN),
    ("nope.md", UNKNOWN),
]


def test_paths_are_keys_never_files(
    kb_client: TestClient,
    customer: tuple[dict[str, str], dict[str, str]],
    tmp_path: Path,
    no_file_reads: list[Any],
) -> None:
    (tmp_path / "secret.txt").write_text("TOP-SECRET root:x:0:0", encoding="utf-8")
    no_file_reads.clear()
    params, auth = customer
    for raw, message in HOSTILE_SOURCES:
        for headers, query in ((auth, params), (ENGINEER, {})):
            r = kb_client.get(URL + raw, params=query, headers=headers)
            assert r.status_code == 404, (raw, r.text)
            assert r.json()["error"] == {"code": "not_found", "message": message}, raw
            assert "TOP-SECRET" not in r.text and "root:" not in r.text
    assert no_file_reads == []  # nothing was opened to answer


def test_a_good_read_opens_no_file_either(
    kb_client: TestClient,
    customer: tuple[dict[str, str], dict[str, str]],
    no_file_reads: list[Any],
) -> None:
    params, auth = customer
    assert kb_client.get(URL + RELEASE, params=params, headers=auth).status_code == 200
    assert no_file_reads == []


@pytest.mark.parametrize(
    "source",
    ["../x", "a/../b", "./a", "/a", "a\\b", "a\x00b", "a\nb", "C:x", "", "a/", "~x", "x" * 1001],
)
def test_well_formed_refuses_anything_but_a_relative_posix_path(source: str) -> None:
    assert not well_formed(source)


@pytest.mark.parametrize("source", [RELEASE, "panel/CHANGELOG.md", "a b/ü-1.2.md", "..a/b..md"])
def test_well_formed_accepts_sources_as_ingest_writes_them(source: str) -> None:
    assert well_formed(source)
