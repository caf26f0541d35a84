"""Where a full turn's time goes: py-spy samples the Rasa server and the action server under load.

Not part of `make bench` (py-spy is not a project dependency). With a py-spy binary at hand:

    .venv/bin/pip install --target /tmp/pyspy py-spy
    .venv/bin/python -m bench.profile_turns --py-spy /tmp/pyspy/bin/py-spy

Starts the stack on free ports with a temp var dir (production mode by default, as `bench.run_all`: two
Rasa replicas on PostgreSQL + Redis, falling back to dev if they are unreachable), runs the conversation
load at --concurrency for --seconds while py-spy records the first Rasa replica and the action server, then
prints the functions with the most samples (inclusive and self) and writes the collapsed stacks
(flamegraph input) to var/bench/profile_<process>.txt.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import threading
from collections import Counter
from pathlib import Path

from bench import loadgen
from bench.common import BENCH_VAR, progress
from bench.deployment import DEFAULT_REDIS_URL, choose, sender_ids
from tools.stack import DEFAULT_MODEL

NOISE = ("<module>", "_run_module_as_main", "_run_code")


def summarize(collapsed: Path, top: int) -> list[str]:
    inclusive: Counter = Counter()
    self_time: Counter = Counter()
    total = 0
    for line in collapsed.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [f for f in stack.split(";") if not f.startswith(NOISE)]
        if not frames:
            continue
        for frame in set(frames):
            inclusive[frame] += samples
        self_time[frames[-1]] += samples
    lines = [f"{collapsed.name}: {total} samples"]
    lines.append("  inclusive:")
    lines += [f"    {n / total:6.1%}  {frame}" for frame, n in inclusive.most_common(top)]
    lines.append("  self:")
    lines += [f"    {n / total:6.1%}  {frame}" for frame, n in self_time.most_common(top)]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--py-spy", required=True, help="path to the py-spy binary")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--mode", choices=("production", "dev"), default="production")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args()
    deployment = choose("production" if args.mode == "production" else "development", args.replicas,
                        args.database_url, args.redis_url)
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        var_dir = Path(tmp) / "var"
        progress(f"starting the stack ({deployment.mode} mode, {deployment.replicas} Rasa server(s)) …")
        try:
            stack = deployment.start(var_dir, DEFAULT_MODEL)
        except BaseException:
            deployment.cleanup()
            raise
        try:
            loadgen.warm_up(stack.rasa_urls, "profile", sender_ids(stack))
            outputs = {"rasa_server": stack.roles["rasa_server"].pid, "action_server": stack.roles["action_server"].pid}
            recorders = []
            for name, pid in outputs.items():
                out = BENCH_VAR / f"profile_{name}.txt"
                recorders.append((out, subprocess.Popen(
                    [args.py_spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "200",
                     "--duration", str(int(args.seconds) + 5), "--output", str(out), "--nonblocking"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)))
            progress(f"load: {args.concurrency} concurrent conversations for {args.seconds:.0f} s, py-spy recording")
            result: dict = {}
            runner = threading.Thread(target=lambda: result.update(loadgen.turn_load(
                stack.rasa_urls, args.concurrency, 100000, args.seconds, "profile", check=True,
                sender_id=sender_ids(stack))))
            runner.start()
            runner.join()
            for _out, recorder in recorders:
                recorder.wait(timeout=120)
            progress(f"{result.get('n')} turns, p50 {result.get('p50_ms')} ms, p95 {result.get('p95_ms')} ms, "
                     f"{result.get('turns_per_s')} turns/s")
            for out, recorder in recorders:
                if out.exists():
                    print("\n".join(summarize(out, args.top)), flush=True)
                else:
                    print(f"{out.name}: no output ({recorder.stderr.read().decode(errors='replace')[:300]})")
        finally:
            stack.stop()
            deployment.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
