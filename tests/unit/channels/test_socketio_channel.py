from __future__ import annotations

import asyncio

from channels.socketio_channel import SocketIOChannel


def test_session_request_joins_the_session_room_and_confirms(monkeypatch) -> None:
    channel = SocketIOChannel.from_credentials({"session_persistence": True})

    async def on_message(message) -> None:  # noqa: ANN001
        return None

    channel.blueprint(on_message)
    sio = channel.sio
    assert sio.eio.transports == ["polling"]
    calls: list[tuple] = []

    async def enter_room(sid: str, room: str, namespace: str | None = None) -> None:
        calls.append(("enter_room", sid, room))

    async def emit(event: str, data: object, room: str | None = None, namespace: str | None = None) -> None:
        calls.append(("emit", event, data, room))

    monkeypatch.setattr(sio, "enter_room", enter_room)
    monkeypatch.setattr(sio, "emit", emit)
    handler = sio.handlers["/"]["session_request"]
    asyncio.run(handler("sid-1", {"session_id": "abc"}))
    assert calls == [("enter_room", "sid-1", "abc"), ("emit", "session_confirm", "abc", "sid-1")]

    calls.clear()
    asyncio.run(handler("sid-2", None))
    new_session = calls[0][2]
    assert len(new_session) == 32 and calls[1] == ("emit", "session_confirm", new_session, "sid-2")
