"""What each kind of account may do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    AGENT = "agent"  # 客服
    SPECIALIST = "specialist"  # 专员：风控、隐私等只有他们能决定的案子
    SUPERVISOR = "supervisor"  # 主管


ROLE_NAMES = {Role.AGENT: "客服", Role.SPECIALIST: "专员", Role.SUPERVISOR: "主管"}


# Who is given hand-offs from a team's queue (supervisors can claim one, but are not assigned any).
WORKS_THE_QUEUE = frozenset({Role.AGENT, Role.SPECIALIST})


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        known = "、".join(f"{role.value}（{name}）" for role, name in ROLE_NAMES.items())
        raise ValueError(f"不认识的角色 {value!r}，可选：{known}") from None


def may_supervise(role: Role | str) -> bool:
    """The supervisor page, other agents' figures, account management."""
    return role == Role.SUPERVISOR
