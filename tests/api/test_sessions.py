from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import ENGINEER, hand_off, start


def test_start_session_shape_and_token_strength(client: TestClient) -> None:
    r = client.post("/api/v1/sessions", json={"access_code": "DEMO-1234"})
    assert r.status_code == 201
    body = r.json()
    assert set(body) >= {"session_id", "token", "messages", "state"}
    assert len(body["token"]) >= 22  # >= 128 bits, urlsafe base64
    assert body["state"]["status"] == "active"
    assert body["messages"][0]["type"] == "text" and "choices" in body["messages"][0]


def test_wrong_code_and_wrong_token_are_401_without_hints(client: TestClient) -> None:
    r = client.post("/api/v1/sessions", json={"access_code": "NOPE-0000"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    sid, auth = start(client)
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": auth["Authorization"][:-2]},
    ):
        r = client.post(f"/api/v1/sessions/{sid}/messages", json={"text": "hi"}, headers=headers)
        assert r.status_code == 401
        assert r.json()["error"]["message"] == "unknown session or token"
    r = client.post("/api/v1/sessions/not-a-session/messages", json={"text": "hi"}, headers=auth)
    assert r.status_code == 401 and r.json()["error"]["message"] == "unknown session or token"


def test_another_sites_token_cannot_read_a_session(client: TestClient) -> None:
    sid_a, _ = start(client, "DEMO-1234")
    _, auth_b = start(client, "DEMOPLUS-5678")
    assert client.get(f"/api/v1/sessions/{sid_a}", headers=auth_b).status_code == 401


def test_wrong_access_codes_are_rate_limited_right_ones_are_not(client: TestClient) -> None:
    for _ in range(15):
        start(client)  # many rooms behind one address may start chats
    codes = [
        client.post("/api/v1/sessions", json={"access_code": f"BAD-{n}"}).status_code
        for n in range(12)
    ]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    blocked = client.post("/api/v1/sessions", json={"access_code": "DEMO-1234"})
    assert blocked.status_code == 429  # guessing stops even a right code for a minute


def test_message_limits_and_bad_bodies(client: TestClient) -> None:
    sid, auth = start(client)
    url = f"/api/v1/sessions/{sid}/messages"
    assert client.post(url, json={"text": "x" * 4001}, headers=auth).status_code == 422
    assert client.post(url, json={}, headers=auth).status_code == 422
    assert client.post(url, json={"text": "a", "choice": "b"}, headers=auth).status_code == 422
    big = client.post(
        url,
        content=b'{"text": "' + b"x" * 70_000 + b'"}',
        headers={**auth, "Content-Type": "application/json"},
    )
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
    empty = client.post(url, json={"text": "   "}, headers=auth)
    assert empty.status_code == 200 and "didn't get any text" in empty.json()["messages"][0]["text"]
    state = client.get(f"/api/v1/sessions/{sid}", headers=auth).json()
    assert state["state"]["status"] == "active"


def test_talk_to_a_person_collects_representative_then_hands_off(client: TestClient) -> None:
    sid, auth = start(client)
    url = f"/api/v1/sessions/{sid}/messages"
    r = client.post(url, json={"choice": "person"}, headers=auth).json()
    assert "who on site" in r["messages"][0]["text"].lower()
    r = client.post(url, json={"text": "Dana <img src=x onerror=alert(1)>"}, headers=auth).json()
    assert "couldn't pick out a name" in r["messages"][0]["text"]  # markup is no name
    r = client.post(url, json={"text": "it's me, Dana"}, headers=auth).json()
    assert "call Dana on" in r["messages"][0]["text"]  # the name, not the phrase
    r = client.post(url, json={"text": "not a phone"}, headers=auth).json()
    assert "phone number" in r["messages"][0]["text"]
    client.post(url, json={"text": "my mobile is +1 (617) 555-0100"}, headers=auth)
    client.post(url, json={"choice": "yes"}, headers=auth)
    r = client.post(url, json={"choice": "yes"}, headers=auth).json()
    assert r["state"]["status"] == "handed_off" and r["state"]["handoff_id"].startswith("HO-")
    assert r["messages"][-1]["type"] == "handoff"
    # the chat stays open for the engineer: a note is kept, and the assistant does not answer it
    after = client.post(url, json={"text": "the projector also smells odd"}, headers=auth).json()
    assert after["messages"] == [] and after["state"]["status"] == "handed_off"
    assert after["state"]["open"] and after["state"]["phase"] == "waiting_for_engineer"

    queue = client.get("/api/v1/handoffs", headers=ENGINEER).json()
    assert [h["id"] for h in queue] == [r["state"]["handoff_id"]]
    record = queue[0]
    assert record["session_id"] == sid  # the engineer can open the chat that led here
    representative = record["record"]["site_representative"]
    assert (representative["name"], representative["phone"]) == ("Dana", "+16175550100")
    assert "<img" not in record["markdown"].replace("\\<img", "")  # user text is escaped
    transcript = client.get(f"/api/v1/sessions/{sid}", headers=auth).json()["transcript"]
    assert [e["kind"] for e in transcript][:2] == ["bot", "user"]


def test_engineer_routes_need_a_key_and_move_handoffs(client: TestClient) -> None:
    for path in ("/api/v1/handoffs", "/api/v1/returns", "/api/v1/accounts", "/api/v1/search?q=x"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers={"X-API-Key": "wrong"}).status_code == 401
    accounts = client.get("/api/v1/accounts", headers=ENGINEER).json()
    assert "access_code_hash" not in str(accounts)
    assert (
        client.post("/api/v1/handoffs/HO-NONE/claim", json={}, headers=ENGINEER).status_code == 404
    )


def test_health_readiness_widget_and_demo(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["flows"] >= 12
    js = client.get("/widget.js")
    assert js.status_code == 200 and "textContent" in js.text and "innerHTML" not in js.text
    page = client.get("/")
    assert 'src="/widget.js"' in page.text and "DEMO-1234" in page.text
    assert client.get("/openapi.json").json()["paths"]["/api/v1/sessions"]


def test_engineer_hands_the_case_back_and_the_chat_continues(client: TestClient) -> None:
    sid, auth, handoff_id = hand_off(client)
    moved = client.post(
        f"/api/v1/handoffs/{handoff_id}/hand_back",
        json={"note": "Please retry now."},
        headers=ENGINEER,
    )
    assert moved.status_code == 200 and moved.json()["status"] == "handed_back"
    session = client.get(f"/api/v1/sessions/{sid}", headers=auth).json()
    assert session["state"]["status"] == "active"
    assert session["transcript"][-1]["text"] == "Please retry now."
    again = client.post(f"/api/v1/handoffs/{handoff_id}/claim", json={}, headers=ENGINEER)
    assert again.status_code == 409  # a handed-back case is no longer in the queue


def test_server_sent_events_stream_the_turn(client: TestClient) -> None:
    sid, auth = start(client)
    r = client.post(
        f"/api/v1/sessions/{sid}/messages/stream", json={"choice": "person"}, headers=auth
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = [block for block in r.text.split("\n\n") if block]
    assert events[0].startswith("event: message\ndata: {") and "who on site" in events[0].lower()
    assert events[-1].startswith("event: state") and '"status":"active"' in events[-1]
    bad = client.post(f"/api/v1/sessions/{sid}/messages/stream", json={"text": "x"}, headers={})
    assert bad.status_code == 401


def test_wrong_engineer_keys_are_rate_limited(client: TestClient) -> None:
    wrong = [
        client.get("/api/v1/handoffs", headers={"X-API-Key": f"guess-{n}"}).status_code
        for n in range(12)
    ]
    assert wrong[:10] == [401] * 10 and wrong[10:] == [429, 429]
    assert client.get("/api/v1/handoffs", headers=ENGINEER).status_code == 429  # for a minute
    assert client.get("/api/v1/handoffs").status_code == 401  # no key: nothing to count
