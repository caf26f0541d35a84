"""Small helpers shared by the bench modules: timing summaries, progress lines, /proc readings."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from complaint_desk.percentiles import percentile

ROOT = Path(__file__).resolve().parents[1]
BENCH_VAR = ROOT / "var" / "bench"
_STARTED = time.monotonic()
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def progress(message: str) -> None:
    elapsed = time.monotonic() - _STARTED
    print(f"[bench {int(elapsed) // 60:02d}:{int(elapsed) % 60:02d}] {message}", flush=True)


def summarize_ms(durations_ms: list[float]) -> dict[str, float]:
    """Count, nearest-rank p50/p95/p99, max and mean of durations in ms (NaN for no durations)."""
    values = sorted(durations_ms)

    def p(fraction: float) -> float:
        return round(percentile(values, fraction), 2) if values else float("nan")

    return {
        "n": len(values),
        "p50_ms": p(0.50),
        "p95_ms": p(0.95),
        "p99_ms": p(0.99),
        "max_ms": round(values[-1], 2) if values else float("nan"),
        "mean_ms": round(sum(values) / len(values), 2) if values else float("nan"),
    }


def timed_ms(function: Callable[[], object], repeats: int) -> dict[str, float]:
    """Call `function` `repeats` times and summarize the durations (summarize_ms)."""
    durations = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        durations.append((time.perf_counter() - started) * 1000)
    return summarize_ms(durations)


def _status_field(pid: int, field: str) -> int | None:
    """A `kB` field of /proc/<pid>/status (VmHWM, VmRSS), in kB; None when the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return None


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            kids += [int(k) for k in text]
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return kids


def memory_mb(pid: int) -> dict[str, float | None]:
    """Peak (VmHWM) and current (VmRSS) resident memory of a process and of its child processes."""
    hwm = _status_field(pid, "VmHWM")
    rss = _status_field(pid, "VmRSS")
    children = _children(pid)
    kids_hwm = [v for v in (_status_field(c, "VmHWM") for c in children) if v is not None]
    return {
        "peak_rss_mb": round(hwm / 1024, 1) if hwm is not None else None,
        "rss_mb": round(rss / 1024, 1) if rss is not None else None,
        "children": len(children),
        "children_peak_rss_mb": round(sum(kids_hwm) / 1024, 1) if kids_hwm else 0.0,
    }


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process (and its reaped children), in seconds."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = stat.rsplit(")", 1)[1].split()
    # fields[0] is the state (field 3); utime/stime/cutime/cstime are fields 14-17.
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return (utime + stime + cutime + cstime) / _CLOCK_TICKS


def tree_cpu_seconds(pid: int) -> float | None:
    total = cpu_seconds(pid)
    if total is None:
        return None
    for child in _children(pid):
        total += cpu_seconds(child) or 0.0
    return total


def system_busy_seconds() -> float:
    """CPU seconds spent busy by all processes on the machine (from /proc/stat), summed over cores."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _CLOCK_TICKS


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])
