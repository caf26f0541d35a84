"""The profile's stages: each sample goes to the outermost frame that names a stage; idle samples are left out."""

from __future__ import annotations

from pathlib import Path

from bench.profile_turns import ACTION_STAGES, RASA_STAGES, detail_shares, read_samples, stage_shares

LOOP = "serve (sanic/server/runners.py:155)"
TURN = "MessageProcessor.handle_message (rasa/core/processor.py:157)"


def collapsed(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "profile.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_samples_go_to_their_outermost_stage_and_idle_ones_are_dropped(tmp_path: Path) -> None:
    samples = read_samples(collapsed(tmp_path, [
        f"{LOOP};{TURN};MessageProcessor.parse_message (rasa/core/processor.py:700);quick_execute (tensorflow/x.py:1) 6",
        f"{LOOP};{TURN};MessageProcessor._predict_next_with_tracker (rasa/core/processor.py:900);"
        "DialogueStateTracker.past_states (rasa/shared/core/trackers.py:301) 2",
        f"{LOOP};{TURN};MessageProcessor.save_tracker (rasa/core/processor.py:1089);"
        "Desk.index_conversation (complaint_desk/desk.py:348) 1",
        "_bootstrap (threading.py:1002);_worker (concurrent/futures/thread.py:83);"
        "Desk.index_conversation (complaint_desk/desk.py:348) 1",
        "_bootstrap (threading.py:1002);_worker (concurrent/futures/thread.py:83);"
        "_write_rows (runtime/indexed_tracker_store.py:61);Desk.index_conversations (complaint_desk/desk.py:370) 2",
        f"{LOOP} 50",
        "_bootstrap (threading.py:1002);_worker (concurrent/futures/thread.py:81) 30",
    ]))
    assert sum(n for _frames, n in samples) == 12
    assert stage_shares(samples, RASA_STAGES) == {"NLU": 0.5, "conversation index": 0.25, "policies": 2 / 12,
                                                  "tracker write": 1 / 12}
    details = detail_shares(samples)
    assert details["TensorFlow"] == 0.5 and details["tracker states for the policies"] == 2 / 12


def test_our_code_on_the_action_server_is_found_by_its_path(tmp_path: Path) -> None:
    samples = read_samples(collapsed(tmp_path, [
        "_worker (concurrent/futures/thread.py:83);_WorkItem.run (concurrent/futures/thread.py:58);"
        "find_order (actions/call_cache.py:47);OrderStore.find (complaint_desk/stores/orders.py:76) 3",
        f"{LOOP};Request.load_json (sanic/request.py:319) 1",
    ]))
    assert stage_shares(samples, ACTION_STAGES) == {"our actions": 0.75, "request JSON": 0.25}
