"""Rebuild the agent console's conversation index from the tracker store (after an upgrade, or a failed write).

    python -m tools.reindex_conversations                      # endpoints.yml (development)
    python -m tools.reindex_conversations --endpoints endpoints.production.yml

Reads every conversation once; prints progress every 500 conversations.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from complaint_desk.desk import shared_desk
from complaint_desk.paths import PROJECT_ROOT


async def reindex(endpoints: str) -> int:
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import EventVerbosity
    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(str(PROJECT_ROOT / endpoints), "tracker_store")
    store = TrackerStore.create(config, Domain.load(str(PROJECT_ROOT / "domain.yml")))
    desk = shared_desk()
    keys = list(await store.keys())
    started = time.monotonic()
    for done, key in enumerate(keys, 1):
        tracker = await store.retrieve(key)
        if tracker is not None:
            desk.index_conversation(tracker.current_state(EventVerbosity.ALL))
        if done % 500 == 0 or done == len(keys):
            print(f"已重建 {done}/{len(keys)} 个会话（{time.monotonic() - started:.0f} 秒）", flush=True)
    return len(keys)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoints", default="endpoints.yml")
    args = parser.parse_args(argv)
    count = asyncio.run(reindex(args.endpoints))
    print(f"会话索引已重建：{count} 个会话")
    return 0


if __name__ == "__main__":
    sys.exit(main())
