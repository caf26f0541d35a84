"""Where the project's files are: the knowledge files, the pages."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
WEB_DIR = PROJECT_ROOT / "web"
