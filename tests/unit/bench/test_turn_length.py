from __future__ import annotations

from pathlib import Path

from bench.turn_length import WindowProfiler, summarize


def test_each_window_takes_the_median_wall_time_and_the_mean_cpu_of_its_turns() -> None:
    run = [(float(turn), {"rasa_server": float(turn) * 2, "action_server": 1.0}) for turn in range(1, 61)]
    rows = summarize([run, run], 60)
    assert [row["window"] for row in rows] == ["turns 1–5", "turns 8–12", "turns 28–32", "turns 56–60"]
    assert rows[0] == {"window": "turns 1–5", "turns": 10, "wall_p50_ms": 3.0, "server_cpu_ms_per_turn": 7.0,
                       "cpu_ms_per_turn_by_process": {"rasa_server": 6.0, "action_server": 1.0}}
    assert rows[-1]["wall_p50_ms"] == 58.0


def test_windows_past_the_conversation_are_left_out() -> None:
    assert [row["window"] for row in summarize([[(1.0, {"rasa_server": 1.0})] * 12], 12)] == \
        ["turns 1–5", "turns 8–12"]


def test_a_window_profile_splits_the_cpu_of_its_turns_by_stage(tmp_path: Path) -> None:
    sample = tmp_path / "length_profile_1_rasa_server.txt"
    nlu = "handle_message (rasa/core/processor.py:169);parse_message (rasa/core/processor.py:724)"
    policies = "handle_message (rasa/core/processor.py:169);_predict_next_with_tracker (rasa/core/processor.py:1120)"
    sample.write_text(f"{nlu} 30\n{policies} 10\n")
    profiler = WindowProfiler(Path("py-spy"), {"rasa_server": 1}, ((1, 5), (56, 60)))
    profiler.files[("turns 1–5", "rasa_server")] = [sample]
    split = profiler.split("turns 1–5", "rasa_server", 20.0)
    assert split["samples"] == 40
    assert split["stages_ms"] == {"NLU": 15.0, "policies": 5.0}
    assert profiler.split("turns 56–60", "rasa_server", 20.0)["samples"] == 0
