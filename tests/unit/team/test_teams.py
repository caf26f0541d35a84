"""knowledge/teams.yml: which team's queue each hand-off lands in; mistakes name the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from complaint_desk.case.handoff_summary import HandoffReason
from complaint_desk.knowledge import KnowledgeError
from complaint_desk.team.passwords import hash_password, new_password, verify_password
from complaint_desk.team.teams import TEAMS_FILE, load_teams

REASONS = [reason.value for reason in HandoffReason]


def test_the_shipped_teams_route_fraud_and_privacy_to_their_specialists() -> None:
    teams = load_teams(TEAMS_FILE, REASONS)
    assert teams.for_handoff(HandoffReason.FRAUD).team_id == "fraud"
    assert teams.for_handoff(HandoffReason.PRIVACY).team_id == "privacy"
    assert {teams.for_handoff(reason).team_id for reason in HandoffReason} == {"after_sales", "fraud", "privacy"}
    assert teams.for_handoff("some_future_reason").team_id == "after_sales"


@pytest.mark.parametrize(("text", "line", "message"), [
    ("version: 1\ndefault_team: a\nteams:\n  - id: a\n    name: 售后\n    handoff_reasons: [fraud, nonsense]\n",
     6, "不认识的转人工原因"),
    ("version: 1\ndefault_team: a\nteams:\n  - id: a\n    name: 售后\n    handoff_reasons: [fraud]\n"
     "  - id: b\n    name: 风控\n    handoff_reasons: [fraud]\n", 9, "只能归一个团队"),
    ("version: 1\ndefault_team: z\nteams:\n  - id: a\n    name: 售后\n", 2, "默认团队"),
    ("version: 1\ndefault_team: A\nteams:\n  - id: A\n    name: 售后\n", 4, "小写字母"),
])
def test_mistakes_name_the_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "teams.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError) as error:
        load_teams(path, REASONS)
    assert "teams.yml" in str(error.value) and f"第 {line} 行" in str(error.value) and message in str(error.value)


def test_new_passwords_are_long_and_unambiguous_and_verify() -> None:
    password = new_password()
    assert len(password) == 16 and not set(password) & set("0O1lI")
    stored = hash_password(password)
    assert verify_password(stored, password) and not verify_password(stored, password + "x")
    assert not verify_password(None, password) and not verify_password("not-a-hash", password)
