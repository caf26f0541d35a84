"""The shipped knowledge files, loaded once for the unit tests (the running desk loads them in complaint_desk.desk)."""

from __future__ import annotations

from complaint_desk.case.handoff_summary import load_handoff_data
from complaint_desk.case.profile import load_profile_rules
from complaint_desk.case.risk import load_risk_rules
from complaint_desk.guard.checker import load_guard
from complaint_desk.paths import KNOWLEDGE_DIR
from complaint_desk.policy.levels import load_level_table
from complaint_desk.policy.loader import load_policy

POLICY_PATH = KNOWLEDGE_DIR / "remedy_policy.yml"
RISK_PATH = KNOWLEDGE_DIR / "risk_rules.yml"
PROFILES_PATH = KNOWLEDGE_DIR / "customer_profiles.yml"
HANDOFF_PATH = KNOWLEDGE_DIR / "handoff.yml"
GUARD_PATH = KNOWLEDGE_DIR / "guard_rules.yml"
PHRASES_PATH = KNOWLEDGE_DIR / "guard_phrases.yml"

POLICY = load_policy(POLICY_PATH)
RISK = load_risk_rules(RISK_PATH)
PROFILES = load_profile_rules(PROFILES_PATH)
HANDOFF = load_handoff_data(HANDOFF_PATH, RISK)
LEVELS = load_level_table(POLICY, RISK_PATH)
GUARD = load_guard(GUARD_PATH, PHRASES_PATH)
