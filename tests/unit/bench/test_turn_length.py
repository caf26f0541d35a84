from __future__ import annotations

from bench.turn_length import summarize


def test_each_window_takes_the_median_wall_time_and_the_mean_cpu_of_its_turns() -> None:
    run = [(float(turn), float(turn) * 2) for turn in range(1, 61)]
    rows = summarize([run, run], 60)
    assert [row["window"] for row in rows] == ["turns 1–5", "turns 8–12", "turns 28–32", "turns 56–60"]
    assert rows[0] == {"window": "turns 1–5", "turns": 10, "wall_p50_ms": 3.0, "server_cpu_ms_per_turn": 6.0}
    assert rows[-1]["wall_p50_ms"] == 58.0


def test_windows_past_the_conversation_are_left_out() -> None:
    assert [row["window"] for row in summarize([[(1.0, 1.0)] * 12], 12)] == ["turns 1–5", "turns 8–12"]
