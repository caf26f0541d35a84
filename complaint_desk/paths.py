"""Where the project's files are: the knowledge files, the pages, the cache of models trained at load."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
WEB_DIR = PROJECT_ROOT / "web"
# Models trained from knowledge files when a process loads them (the guard's phrase model), kept per content.
CACHE_DIR = Path(os.environ.get("COMPLAINT_DESK_CACHE_DIR") or PROJECT_ROOT / "var" / "cache")
