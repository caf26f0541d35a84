"""The desk's teams and which hand-off reasons each one takes (knowledge/teams.yml)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from complaint_desk.knowledge import KnowledgeError, line_of, load_knowledge, source_name
from complaint_desk.paths import KNOWLEDGE_DIR

TEAMS_FILE = KNOWLEDGE_DIR / "teams.yml"
TEAM_ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass(frozen=True)
class Team:
    team_id: str
    name: str
    handoff_reasons: tuple[str, ...]


@dataclass(frozen=True)
class Teams:
    teams: tuple[Team, ...]
    default_team: str
    capacity_per_agent: int = 5

    def get(self, team_id: str) -> Team | None:
        return next((team for team in self.teams if team.team_id == team_id), None)

    def for_handoff(self, reason: str) -> Team:
        """The team whose queue a hand-off for this reason lands in."""
        for team in self.teams:
            if reason in team.handoff_reasons:
                return team
        default = self.get(self.default_team)
        assert default is not None  # checked at load
        return default

    def ids(self) -> list[str]:
        return [team.team_id for team in self.teams]


def load_teams(path: str | Path, handoff_reasons: Iterable[str]) -> Teams:
    """`handoff_reasons`: the reasons the bot hands off for (complaint_desk.case), each to land in one team."""
    raw = load_knowledge(path)
    source = source_name(path)
    problems: list[tuple[int | None, str]] = []
    teams: list[Team] = []
    owner_of: dict[str, str] = {}
    entries = raw.get("teams")
    if not isinstance(entries, list) or not entries:
        raise KnowledgeError(source, [(line_of(raw, "teams"), "teams 应为至少一个团队的列表")])
    known_reasons = set(handoff_reasons)
    for entry in entries:
        if not isinstance(entry, dict):
            problems.append((line_of(entry), "每个团队应写成 id / name / handoff_reasons"))
            continue
        team_id, name = str(entry.get("id", "")).strip(), str(entry.get("name", "")).strip()
        if not team_id or not set(team_id) <= TEAM_ID_CHARS:
            problems.append((line_of(entry, "id"), f"团队编号 {team_id!r} 只能用小写字母、数字和下划线"))
        elif any(team.team_id == team_id for team in teams):
            problems.append((line_of(entry, "id"), f"团队编号 {team_id!r} 重复了"))
        if not name:
            problems.append((line_of(entry), f"团队 {team_id!r} 缺少名称 name"))
        reasons = entry.get("handoff_reasons") or []
        if not isinstance(reasons, list):
            problems.append((line_of(entry, "handoff_reasons"), "handoff_reasons 应为列表"))
            reasons = []
        for reason in map(str, reasons):
            if reason not in known_reasons:
                problems.append((line_of(entry, "handoff_reasons"), f"不认识的转人工原因 {reason!r}"))
            elif reason in owner_of:
                problems.append((line_of(entry, "handoff_reasons"),
                                 f"转人工原因 {reason!r} 已经归团队 {owner_of[reason]!r}，一个原因只能归一个团队"))
            else:
                owner_of[reason] = team_id
        teams.append(Team(team_id, name, tuple(map(str, reasons))))
    default_team = str(raw.get("default_team", "")).strip()
    if default_team not in {team.team_id for team in teams}:
        problems.append((line_of(raw, "default_team"), f"默认团队 {default_team!r} 不在 teams 里"))
    capacity = raw.get("capacity_per_agent", 5)
    if not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= 100:
        problems.append((line_of(raw, "capacity_per_agent"), f"capacity_per_agent 应为 1–100 的整数，现在是 {capacity!r}"))
        capacity = 5
    if problems:
        raise KnowledgeError(source, problems)
    return Teams(tuple(teams), default_team, capacity)
