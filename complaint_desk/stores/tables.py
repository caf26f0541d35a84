"""Every table of the complaint desk, in one module: the stores beside it read and write these rows. The tables
themselves are created and changed by the migrations (complaint_desk/stores/migrations/); a test checks that the
migrated schema and these classes agree. Nothing here imports a store, so there is no import circle."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

from complaint_desk.stores.utc_time import UtcDateTime

Base = declarative_base()


class OrderRow(Base):
    __tablename__ = "demo_orders"

    order_id = sa.Column(sa.String(12), primary_key=True)
    product = sa.Column(sa.String(100), nullable=False)
    goods_type = sa.Column(sa.String(30), nullable=False)
    price = sa.Column(sa.Float, nullable=False)
    payment_method = sa.Column(sa.String(20), nullable=False)
    purchased_at = sa.Column(sa.Date, nullable=False)
    promised_delivery_at = sa.Column(sa.Date, nullable=False)
    delivered_at = sa.Column(sa.Date, nullable=True)
    status = sa.Column(sa.String(20), nullable=False)
    carrier = sa.Column(sa.String(30), nullable=False)
    no_reason_return_eligible = sa.Column(sa.Boolean, nullable=False)
    shopper_id = sa.Column(sa.String(64), nullable=True, index=True)  # the signed-in shopper who placed it


class TicketRow(Base):
    __tablename__ = "complaint_tickets"

    ticket_id = sa.Column(sa.String(20), primary_key=True)
    conversation_id = sa.Column(sa.String(255), nullable=False, index=True)
    order_id = sa.Column(sa.String(12), nullable=True, index=True)
    category = sa.Column(sa.String(30), nullable=False)
    level = sa.Column(sa.String(10), nullable=False)
    remedy_id = sa.Column(sa.String(50), nullable=False)
    remedy_title = sa.Column(sa.String(100), nullable=False)
    remedy_amount = sa.Column(sa.Float, nullable=True)
    emotion_trend = sa.Column(sa.String(255), nullable=False, default="")
    status = sa.Column(sa.String(20), nullable=False, default="open")
    satisfaction = sa.Column(sa.String(20), nullable=True)
    created_at = sa.Column(UtcDateTime, nullable=False)
    resolve_by = sa.Column(UtcDateTime, nullable=True)
    # Added for the supervisor insights; nullable so older databases gain them in place.
    customer_text = sa.Column(sa.Text, nullable=True)  # the customer's own words about the problem
    first_message_at = sa.Column(UtcDateTime, nullable=True)
    first_response_at = sa.Column(UtcDateTime, nullable=True)
    respond_by = sa.Column(UtcDateTime, nullable=True)  # first-response deadline
    declined_remedies = sa.Column(sa.String(255), nullable=True)  # remedy ids, comma-separated
    resolved_at = sa.Column(UtcDateTime, nullable=True)


class FollowUpRow(Base):
    __tablename__ = "complaint_follow_ups"

    follow_up_id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    ticket_id = sa.Column(sa.String(20), nullable=False, index=True)
    conversation_id = sa.Column(sa.String(255), nullable=False)
    due_at = sa.Column(UtcDateTime, nullable=False, index=True)
    claimed_at = sa.Column(UtcDateTime, nullable=True)
    fired_at = sa.Column(UtcDateTime, nullable=True)
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    # Retries back off; after the last allowed attempt the follow-up is marked failed for the supervisor.
    next_attempt_at = sa.Column(UtcDateTime, nullable=True)
    failed_at = sa.Column(UtcDateTime, nullable=True)
    last_error = sa.Column(sa.String(500), nullable=True)


class HandoffRow(Base):
    __tablename__ = "complaint_handoffs"

    handoff_id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    conversation_id = sa.Column(sa.String(255), nullable=False, index=True)
    reason = sa.Column(sa.String(40), nullable=False)
    summary = sa.Column(sa.Text, nullable=False)
    created_at = sa.Column(UtcDateTime, nullable=False)
    handed_back_at = sa.Column(UtcDateTime, nullable=True)
    # For the supervisor insights; nullable so older databases gain them in place.
    category = sa.Column(sa.String(30), nullable=True)
    level = sa.Column(sa.String(10), nullable=True)
    # The queue by team (knowledge/teams.yml): whose queue, who owns it, by when someone must answer.
    team = sa.Column(sa.String(30), nullable=True)
    owner_id = sa.Column(sa.Integer, nullable=True, index=True)  # agent_accounts.account_id
    assigned_at = sa.Column(UtcDateTime, nullable=True)
    respond_by = sa.Column(UtcDateTime, nullable=True)
    answered_at = sa.Column(UtcDateTime, nullable=True)  # an agent's first message after the hand-off


class AgentSessionRow(Base):
    __tablename__ = "agent_sessions"

    conversation_id = sa.Column(sa.String(255), primary_key=True)
    mode = sa.Column(sa.String(20), nullable=False, default="bot")  # agent_modes.BOT
    updated_at = sa.Column(UtcDateTime, nullable=False)
    closed_at = sa.Column(UtcDateTime, nullable=True)
    summary = sa.Column(sa.Text, nullable=True)


class EvidenceRow(Base):
    __tablename__ = "complaint_evidence"

    evidence_id = sa.Column(sa.String(32), primary_key=True)
    conversation_id = sa.Column(sa.String(255), nullable=False, index=True)
    ticket_id = sa.Column(sa.String(20), nullable=True, index=True)
    content_type = sa.Column(sa.String(40), nullable=False)
    size_bytes = sa.Column(sa.Integer, nullable=False)
    sha256 = sa.Column(sa.String(64), nullable=False)
    stored_path = sa.Column(sa.String(500), nullable=False)
    original_name = sa.Column(sa.String(255), nullable=True)
    created_at = sa.Column(UtcDateTime, nullable=False)


class ConversationIndexRow(Base):
    """One row per conversation for the agent console's list (complaint_desk/stores/conversation_index.py)."""

    __tablename__ = "conversation_index"
    __table_args__ = (sa.Index("ix_conversation_index_order", "risk_rank", "risk_score", "updated_at"),)

    conversation_id = sa.Column(sa.String(255), primary_key=True)
    risk_rank = sa.Column(sa.Integer, nullable=False)
    risk_score = sa.Column(sa.Float, nullable=False)
    updated_at = sa.Column(sa.Float, nullable=False)  # Unix time of the conversation's last event
    turns = sa.Column(sa.Integer, nullable=False)
    mode = sa.Column(sa.String(20), nullable=False)
    row = sa.Column(sa.Text, nullable=False)  # the console's row as JSON (ConsoleAssist.overview)
    team = sa.Column(sa.String(30), nullable=True, index=True)  # of its open hand-off, for the console's filters
    owner_id = sa.Column(sa.Integer, nullable=True, index=True)
    search_text = sa.Column(sa.Text, nullable=True)  # what agents search by (conversation_index.search_text)


class WorkerHeartbeatRow(Base):
    """The last time each background worker (one per host or container) finished a round."""

    __tablename__ = "worker_heartbeats"

    worker_id = sa.Column(sa.String(255), primary_key=True)
    role = sa.Column(sa.String(30), nullable=False)
    beat_at = sa.Column(UtcDateTime, nullable=False)


class AgentAccountRow(Base):
    """A person who logs in to the console or the supervisor page (complaint_desk/stores/accounts.py)."""

    __tablename__ = "agent_accounts"

    account_id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    username = sa.Column(sa.String(64), nullable=False, unique=True)
    display_name = sa.Column(sa.String(64), nullable=False)  # shown to customers ("人工客服 小周")
    role = sa.Column(sa.String(20), nullable=False)  # complaint_desk.team.roles.Role
    team = sa.Column(sa.String(30), nullable=True)  # knowledge/teams.yml id
    password_hash = sa.Column(sa.String(255), nullable=False)
    created_at = sa.Column(UtcDateTime, nullable=False)
    password_changed_at = sa.Column(UtcDateTime, nullable=False)
    disabled_at = sa.Column(UtcDateTime, nullable=True)


class AgentLoginSessionRow(Base):
    """One login: the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "agent_login_sessions"

    token_digest = sa.Column(sa.String(64), primary_key=True)
    account_id = sa.Column(sa.Integer, nullable=False, index=True)
    created_at = sa.Column(UtcDateTime, nullable=False)
    expires_at = sa.Column(UtcDateTime, nullable=False)
    ended_at = sa.Column(UtcDateTime, nullable=True)
    last_seen_at = sa.Column(UtcDateTime, nullable=True)  # the last request made with it (an open console pings)


class AgentActionRow(Base):
    """Who did what and when: every message, takeover, hand-back, close, login and account change."""

    __tablename__ = "agent_actions"
    __table_args__ = (sa.Index("ix_agent_actions_conversation", "conversation_id", "at"),)

    action_id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    account_id = sa.Column(sa.Integer, nullable=True)  # None: the integration token (AGENT_API_TOKEN)
    actor = sa.Column(sa.String(64), nullable=False)  # the username at the time
    action = sa.Column(sa.String(30), nullable=False)
    conversation_id = sa.Column(sa.String(255), nullable=True)
    detail = sa.Column(sa.Text, nullable=True)
    at = sa.Column(UtcDateTime, nullable=False, index=True)


class ConversationNoteRow(Base):
    """A private note for colleagues on a conversation (and its ticket); never sent to the customer."""

    __tablename__ = "conversation_notes"

    note_id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    conversation_id = sa.Column(sa.String(255), nullable=False, index=True)
    ticket_id = sa.Column(sa.String(20), nullable=True, index=True)
    account_id = sa.Column(sa.Integer, nullable=True)
    author = sa.Column(sa.String(64), nullable=False)  # display name at the time
    text = sa.Column(sa.Text, nullable=False)
    at = sa.Column(UtcDateTime, nullable=False)


class ReplyLibraryEditRow(Base):
    """A supervisor's change to the reply library: a new or changed entry, or one taken out (deleted)."""

    __tablename__ = "reply_library_edits"

    entry_id = sa.Column(sa.String(50), primary_key=True)
    title = sa.Column(sa.String(50), nullable=False)
    stage = sa.Column(sa.String(20), nullable=False)
    text = sa.Column(sa.Text, nullable=False)
    deleted = sa.Column(sa.Boolean, nullable=False, default=False)
    updated_by = sa.Column(sa.String(64), nullable=False)
    updated_at = sa.Column(UtcDateTime, nullable=False)


class SuggestionFeedbackRow(Base):
    """One reply the console offered for one customer turn, and what the agent did with it."""

    __tablename__ = "suggestion_feedback"
    __table_args__ = (sa.UniqueConstraint("conversation_id", "turn", "source", name="uq_suggestion_feedback_offer"),)

    feedback_id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    conversation_id = sa.Column(sa.String(255), nullable=False)
    turn = sa.Column(sa.Integer, nullable=False)  # how many customer messages the conversation had
    source = sa.Column(sa.String(60), nullable=False)  # offer:<remedy>, stage:<stage>, library:<entry>
    stage = sa.Column(sa.String(20), nullable=False)
    offered_text = sa.Column(sa.Text, nullable=False)
    outcome = sa.Column(sa.String(10), nullable=False)  # ignored (so far), as_is, edited
    account_id = sa.Column(sa.Integer, nullable=True)
    at = sa.Column(UtcDateTime, nullable=False, index=True)


class SatisfactionRatingRow(Base):
    """A shopper's 1–5 stars for one ticket, or for one agent's service when the agent closed the conversation."""

    __tablename__ = "satisfaction_ratings"
    __table_args__ = (sa.UniqueConstraint("conversation_id", "subject", name="uq_satisfaction_ratings_subject"),)

    rating_id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    conversation_id = sa.Column(sa.String(255), nullable=False)
    subject = sa.Column(sa.String(80), nullable=False)  # ticket:<ticket id> or agent:<account id>:<closed at>
    ticket_id = sa.Column(sa.String(32), nullable=True)
    account_id = sa.Column(sa.Integer, nullable=True)  # the agent rated
    stars = sa.Column(sa.Integer, nullable=False)
    comment = sa.Column(sa.Text, nullable=True)
    at = sa.Column(UtcDateTime, nullable=False, index=True)


class ShopperConversationRow(Base):
    """The conversation a signed-in shopper continues on any device."""

    __tablename__ = "shopper_conversations"

    shopper_id = sa.Column(sa.String(64), primary_key=True)
    conversation_id = sa.Column(sa.String(255), nullable=False, unique=True)
    updated_at = sa.Column(UtcDateTime, nullable=False)
