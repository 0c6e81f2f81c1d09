"""Tables. The schema itself is created only by the Alembic migrations in migrations/versions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC without a zone (SQLite has none) and hands back aware datetimes on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:  # type: ignore[no-untyped-def]
        return None if value is None else value.replace(tzinfo=UTC)


ID = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements only INTEGER PRIMARY KEY


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {datetime: UTCDateTime(), dict: JSON()}


class AccountRow(Base):
    """One person, whatever platforms they use."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("username", name="uq_accounts_username"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    username: Mapped[str] = mapped_column(String(32))
    full_name: Mapped[str] = mapped_column(String(100))
    is_freelancer: Mapped[bool] = mapped_column(Boolean)
    is_client: Mapped[bool] = mapped_column(Boolean)
    language: Mapped[str] = mapped_column(String(8))
    country: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]
    notify_platform: Mapped[str | None] = mapped_column(String(16))  # None: wherever they were last seen


class IdentityRow(Base):
    """A platform user id bound to an account; each platform identity belongs to at most one account."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id", name="uq_identity_platform_user"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime | None]  # the last turn from this identity: where notifications go by default
    unreachable_at: Mapped[datetime | None]  # the platform said we can't write to it (blocked); cleared on return


class ConversationRow(Base):
    """Where one user stands in one chat: the active flow, its state and data, and when it goes idle."""

    __tablename__ = "conversations"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    flow: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict]
    form_progress: Mapped[dict | None]
    locale: Mapped[str] = mapped_column(String(8))
    screen_seq: Mapped[int] = mapped_column(Integer)
    flow_nonce: Mapped[str] = mapped_column(String(8), server_default="")  # new per flow: old buttons go stale
    version: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]


class ProcessedUpdateRow(Base):
    """Inbound update ids already handled, so a redelivered update changes nothing."""

    __tablename__ = "processed_updates"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(index=True)


class OutboxRow(Base):
    """A notification to one person, written in the transaction of the change that causes it.

    ``payload`` says what to render (a notice kind's parameters), never a platform's message. It goes to the
    account ``recipient_id`` on the identity routing picks, or, with no recipient (a conversation timeout for
    someone not signed up yet), straight to ``platform``/``chat_id``. Due when ``next_attempt_at`` has passed; NULL
    while every identity of the recipient is unreachable. A claim moves ``next_attempt_at`` past a lease, so a
    sender that dies mid-send leaves the row to be claimed again.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
        Index(
            "ix_outbox_due",
            "priority",
            "next_attempt_at",
            sqlite_where=text("sent_at IS NULL AND parked_at IS NULL"),
            postgresql_where=text("sent_at IS NULL AND parked_at IS NULL"),
        ),
        Index("ix_outbox_recipient", "recipient_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(48))
    payload: Mapped[dict]
    dedupe_key: Mapped[str] = mapped_column(String(160))
    priority: Mapped[int] = mapped_column(Integer)  # lower goes first: person-to-person before alert fan-out
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    parked_at: Mapped[datetime | None]  # gave up after too many transient errors; shown by `gigbot doctor`
    last_error: Mapped[str | None] = mapped_column(Text)
    platform: Mapped[str | None] = mapped_column(String(16))  # where it went (or was last tried)
    chat_id: Mapped[str | None] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(String(64))


class SentMessageRow(Base):
    """A message we sent that can be answered by replying to it: the reply runs ``reply_command``."""

    __tablename__ = "sent_messages"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "message_id", name="uq_sent_messages_ref"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    reply_command: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(index=True)


class SigningKeyRow(Base):
    """When each button-signing key was first used as the current one: an older key is accepted for the grace
    period after its successor's first use, then refused."""

    __tablename__ = "signing_keys"

    key_id: Mapped[str] = mapped_column(String(8), primary_key=True)
    first_used_at: Mapped[datetime]


class FileRow(Base):
    """A file someone sent (photos, ID documents, briefs): its bytes, or the reference of the platform that keeps
    it (``platform``, its ``platform_handle`` and ``platform_unique_id``) with ``content`` NULL until another
    platform needs the bytes; then they are kept here, so a file is downloaded at most once."""

    __tablename__ = "files"
    __table_args__ = (Index("ix_files_platform_unique", "platform", "platform_unique_id"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    platform: Mapped[str | None] = mapped_column(String(20))
    platform_handle: Mapped[str | None] = mapped_column(String(255))
    platform_unique_id: Mapped[str | None] = mapped_column(String(100))
    caption: Mapped[str] = mapped_column(String(1024), default="", server_default="")
    created_at: Mapped[datetime]


class FreelancerProfileRow(Base):
    __tablename__ = "freelancer_profiles"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    title: Mapped[str] = mapped_column(String(70), default="")
    about: Mapped[str] = mapped_column(Text, default="")
    hourly_rate_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    hours_per_week: Mapped[int | None] = mapped_column(Integer)
    contract_to_hire: Mapped[bool] = mapped_column(Boolean, default=False)
    photo_file_id: Mapped[int | None] = mapped_column(ForeignKey("files.id", ondelete="SET NULL"))
    languages: Mapped[list] = mapped_column(JSON, default=list)  # [{"code": "fr", "level": "native"}]
    verification: Mapped[str] = mapped_column(String(12), default="unverified")  # unverified|pending|verified|rejected
    verification_file_id: Mapped[int | None] = mapped_column(ForeignKey("files.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime]


class ProfileSkillRow(Base):
    __tablename__ = "profile_skills"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    skill: Mapped[str] = mapped_column(String(40), primary_key=True)


class ProfileCategoryRow(Base):
    __tablename__ = "profile_categories"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(24), primary_key=True)


class PortfolioLinkRow(Base):
    __tablename__ = "portfolio_links"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]


class WorkHistoryRow(Base):
    __tablename__ = "work_history"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    company: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(100))
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class TestimonialRow(Base):
    """A testimonial asked of a past client by a link; they open it in chat and write it there."""

    __tablename__ = "testimonials"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    freelancer_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    client_name: Mapped[str] = mapped_column(String(100))
    project: Mapped[str] = mapped_column(String(200))
    client_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="requested")  # requested|given|declined
    created_at: Mapped[datetime]
    given_at: Mapped[datetime | None]


class ClientProfileRow(Base):
    """A client's profile; the stats are kept up to date by hiring and payments."""

    __tablename__ = "client_profiles"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    company_name: Mapped[str] = mapped_column(String(100), default="")
    payment_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    hires_count: Mapped[int] = mapped_column(Integer, default=0)
    total_spent_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)  # stars given to them, summed
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]


class TalentCloudRow(Base):
    __tablename__ = "talent_clouds"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]


class CloudMemberRow(Base):
    __tablename__ = "cloud_members"

    cloud_id: Mapped[int] = mapped_column(ForeignKey("talent_clouds.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(8))  # invited|member
    created_at: Mapped[datetime]


class JobRow(Base):
    """A job post. Money in integer minor units of ``currency``."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_status_published", "status", "published_at"),
        Index("ix_jobs_client", "client_id"),
        Index("ix_jobs_source_external", "source_id", "external_id", unique=True),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(24))
    skills_text: Mapped[str] = mapped_column(Text, default="")  # the skills joined, for full-text search
    job_type: Mapped[str] = mapped_column(String(8))  # hourly|fixed
    budget_minor: Mapped[int | None] = mapped_column(BigInteger)
    rate_min_minor: Mapped[int | None] = mapped_column(BigInteger)
    rate_max_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    experience: Mapped[str] = mapped_column(String(12))  # entry|intermediate|expert
    project_length: Mapped[str] = mapped_column(String(8))  # lt1|1to3|3to6|gt6 (months)
    hours_per_week: Mapped[str | None] = mapped_column(String(8))  # lt30|gt30, hourly jobs
    visibility: Mapped[str] = mapped_column(String(8))  # public|cloud|invite
    cloud_id: Mapped[int | None] = mapped_column(ForeignKey("talent_clouds.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(8))  # draft|open|closed|expired
    proposals_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    # The client's profile stats, copied for the search filters by migration 0003's triggers (never set here).
    client_payment_verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    client_hires: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A job brought by an external feed: its source, the entry's id there, and where to apply (the original post).
    source_id: Mapped[int | None] = mapped_column(ForeignKey("feed_sources.id"))
    external_id: Mapped[str | None] = mapped_column(String(500))
    external_url: Mapped[str | None] = mapped_column(Text)


class FeedSourceRow(Base):
    """An external job feed (a ``[[feeds]]`` table, by name): the client account its jobs are posted under, the
    validators of its last fetch (so an unchanged feed costs a 304), and how its last poll went."""

    __tablename__ = "feed_sources"
    __table_args__ = (UniqueConstraint("name", name="uq_feed_sources_name"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    polled_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))  # why the last poll failed; never the URL
    created_at: Mapped[datetime]


class JobSkillRow(Base):
    __tablename__ = "job_skills"
    __table_args__ = (Index("ix_job_skills_skill", "skill", "job_id"),)

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    skill: Mapped[str] = mapped_column(String(40), primary_key=True)


class JobQuestionRow(Base):
    __tablename__ = "job_questions"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(String(300))


class JobAttachmentRow(Base):
    __tablename__ = "job_attachments"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id", ondelete="CASCADE"), primary_key=True)


class JobInviteRow(Base):
    __tablename__ = "job_invites"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    freelancer_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class JobDraftRow(Base):
    """A job post its client left unfinished (one per client), kept so the next /post_job can resume it."""

    __tablename__ = "job_drafts"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[dict]
    saved_at: Mapped[datetime]


class SavedJobRow(Base):
    __tablename__ = "saved_jobs"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime]


class HiddenJobRow(Base):
    """ "Not interested": never shown again to this freelancer; the reason lowers similar jobs in the feed."""

    __tablename__ = "hidden_jobs"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    reason: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[datetime]


class LinkCodeRow(Base):
    """A one-time code that attaches another platform identity to an account."""

    __tablename__ = "link_codes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


# --- Proposals, messaging, contracts and money (migration 0004) ---------------------------------------------


class ProposalRow(Base):
    """A freelancer's bid on a job. At most one active (not withdrawn, declined or hired) per job and freelancer."""

    __tablename__ = "proposals"
    __table_args__ = (
        Index(
            "uq_proposals_active",
            "job_id",
            "freelancer_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_proposals_freelancer", "freelancer_id", "created_at"),
        Index("ix_proposals_job", "job_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    freelancer_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    bid_kind: Mapped[str] = mapped_column(String(10))  # hourly|fixed|milestones
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # hourly rate, or the fixed total
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    duration: Mapped[str] = mapped_column(String(8))  # lt1|1to3|3to6|gt6 (months)
    cover_letter: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))  # active|withdrawn|declined|hired
    shortlisted: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(Text)  # why it was withdrawn or declined
    credits_spent: Mapped[int] = mapped_column(Integer, default=0)
    client_answered_at: Mapped[datetime | None]  # the client's first message, shortlist, decline or offer
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ProposalMilestoneRow(Base):
    __tablename__ = "proposal_milestones"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    description: Mapped[str] = mapped_column(String(200))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    due_date: Mapped[date | None] = mapped_column(Date)


class ProposalAnswerRow(Base):
    """The answer to the job's screening question at ``position``."""

    __tablename__ = "proposal_answers"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)


class ProposalAttachmentRow(Base):
    __tablename__ = "proposal_attachments"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id", ondelete="CASCADE"), primary_key=True)


class CreditEntryRow(Base):
    """Proposal credits ("Connects") moving in or out of a freelancer's balance; the key makes each move once."""

    __tablename__ = "credit_entries"
    __table_args__ = (
        UniqueConstraint("key", name="uq_credit_entries_key"),
        Index("ix_credit_entries_account", "account_id"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(16))  # allowance|proposal|refund
    key: Mapped[str] = mapped_column(String(80))  # e.g. allowance:7:2026-11, proposal:12, refund:12
    created_at: Mapped[datetime]


class ThreadRow(Base):
    """A conversation between a client and a freelancer about one proposal, invitation or contract."""

    __tablename__ = "threads"
    __table_args__ = (
        UniqueConstraint("subject", name="uq_threads_subject"),
        Index("ix_threads_client", "client_id", "last_message_at"),
        Index("ix_threads_freelancer", "freelancer_id", "last_message_at"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    subject: Mapped[str] = mapped_column(String(40))  # proposal:<id> | invite:<job>:<freelancer> | contract:<id>
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    client_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    freelancer_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime]
    last_message_at: Mapped[datetime | None]


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_thread", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))  # None: the bot (system notes)
    text: Mapped[str] = mapped_column(Text, default="")
    file_id: Mapped[int | None] = mapped_column(ForeignKey("files.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class ThreadReadRow(Base):
    """The last message of a thread each party has seen, for unread counts."""

    __tablename__ = "thread_reads"

    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    last_read_id: Mapped[int] = mapped_column(BigInteger, default=0)


class ContractRow(Base):
    """An offer and, once accepted, the contract. Fees are fixed at offer time so later config changes don't
    change what was agreed."""

    __tablename__ = "contracts"
    __table_args__ = (
        Index("ix_contracts_client", "client_id", "status"),
        Index("ix_contracts_freelancer", "freelancer_id", "status"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))
    client_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    freelancer_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    title: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(8))  # hourly|fixed
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    rate_minor: Mapped[int | None] = mapped_column(BigInteger)  # hourly
    weekly_limit_minutes: Mapped[int | None] = mapped_column(Integer)  # hourly
    fee_schedule: Mapped[str] = mapped_column(String(8))  # flat|tiered|fixed
    fee_bp: Mapped[int] = mapped_column(Integer)  # freelancer fee in basis points (flat and fixed schedules)
    client_fee_bp: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))  # offered|declined|withdrawn|active|ended
    start_date: Mapped[date] = mapped_column(Date)
    offered_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    end_reason: Mapped[str | None] = mapped_column(String(24))
    client_feedback_reminded_at: Mapped[datetime | None]  # the feedback reminder was sent (claimed once)
    freelancer_feedback_reminded_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)


class MilestoneRow(Base):
    """A fixed-price milestone and its escrow. Status moves: pending -> funded -> submitted -> (changes ->
    submitted ...) -> released | refunded; disputed freezes it. Amounts released and refunded never exceed funded."""

    __tablename__ = "milestones"
    __table_args__ = (
        UniqueConstraint("contract_id", "position", name="uq_milestones_position"),
        Index("ix_milestones_auto_release", "status", "auto_release_at"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(200))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))  # pending|funded|submitted|changes|disputed|released|refunded
    funded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    released_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    funded_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    auto_release_at: Mapped[datetime | None]
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)  # auto-release reminders already sent
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)


class SubmissionRow(Base):
    """Work the freelancer submitted for a milestone: a message and files."""

    __tablename__ = "submissions"
    __table_args__ = (Index("ix_submissions_milestone", "milestone_id"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(Text)
    file_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]


class TimeEntryRow(Base):
    """Time the freelancer logged on an hourly contract, counted in the week (Monday-Sunday UTC) it was logged."""

    __tablename__ = "time_entries"
    __table_args__ = (Index("ix_time_entries_week", "contract_id", "week_start"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    memo: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class InvoiceRow(Base):
    """An hourly contract's weekly invoice: issued on Monday for the week before, reviewable until Friday,
    then charged and paid. Its escrow works as a milestone's does."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("contract_id", "week_start", name="uq_invoices_week"),
        Index("ix_invoices_due", "status", "review_until"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10))  # review|disputed|paid|refunded
    review_until: Mapped[datetime]
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)


class LedgerAccountRow(Base):
    """A double-entry account, named by a code such as ``escrow:milestone:12`` or ``freelancer:7:available``.

    ``balance_minor`` is the sum of its entries, kept in the same transaction as they are written."""

    __tablename__ = "ledger_accounts"
    __table_args__ = (UniqueConstraint("code", "currency", name="uq_ledger_accounts_code"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    code: Mapped[str] = mapped_column(String(80))
    currency: Mapped[str] = mapped_column(String(3))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)


class LedgerTransactionRow(Base):
    """One balanced money movement. The idempotency key makes a repeated action return the first result."""

    __tablename__ = "ledger_transactions"
    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_ledger_transactions_key"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(24))  # fund|release|refund|fee|mature|payout|...
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id", ondelete="SET NULL"), index=True)
    memo: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]


class LedgerEntryRow(Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_account", "account_id", "id"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # + into the account, - out of it


class PaymentRow(Base):
    """A call to the payment provider (a charge of the client or a payout to the freelancer), once per key."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_payments_key"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120))
    provider: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))  # charge|payout
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10))  # succeeded|failed
    reference: Mapped[str] = mapped_column(String(100), default="")
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]


class EarningRow(Base):
    """Money released to a freelancer: pending until ``available_at`` (the security period), then available."""

    __tablename__ = "earnings"
    __table_args__ = (Index("ix_earnings_maturing", "matured_at", "available_at"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    freelancer_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id", ondelete="SET NULL"))
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # after the service fee
    fee_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime]
    available_at: Mapped[datetime]
    matured_at: Mapped[datetime | None]


class PayoutRow(Base):
    """A withdrawal of available earnings."""

    __tablename__ = "payouts"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    freelancer_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"))
    status: Mapped[str] = mapped_column(String(10))  # requested|sent|failed
    created_at: Mapped[datetime]


class FeedbackRow(Base):
    """One party's feedback on an ended contract; hidden from the other until both gave it or the window closed."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("contract_id", "author_id", name="uq_feedback_author"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    stars: Mapped[int] = mapped_column(Integer)
    public_comment: Mapped[str] = mapped_column(Text, default="")
    private_note: Mapped[str] = mapped_column(Text, default="")  # seen by the platform only
    created_at: Mapped[datetime]


class DisputeRow(Base):
    """A dispute on a milestone or a weekly invoice: its funds stay frozen until an admin resolves it."""

    __tablename__ = "disputes"
    __table_args__ = (Index("ix_disputes_status", "status", "created_at"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id", ondelete="CASCADE"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))  # open|resolved
    resolution: Mapped[str | None] = mapped_column(String(8))  # release|refund|split
    freelancer_share_minor: Mapped[int | None] = mapped_column(BigInteger)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class SavedSearchRow(Base):
    """A search a person asked to be alerted of: the query and filters as /search takes them, and how often."""

    __tablename__ = "saved_searches"
    __table_args__ = (Index("ix_saved_searches_account", "account_id"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    query: Mapped[str] = mapped_column(Text)
    filters: Mapped[dict] = mapped_column(JSON)  # JobFilters, as saved
    frequency: Mapped[str] = mapped_column(String(8))  # instant|hourly|daily
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SavedSearchChangeRow(Base):
    """One line per change to a saved search, in order: every process's matcher reads those after the last it
    saw, so an index built from the database stays in step with changes made by any process."""

    __tablename__ = "saved_search_changes"

    seq: Mapped[int] = mapped_column(ID, primary_key=True)
    search_id: Mapped[int] = mapped_column(ID)
    changed_at: Mapped[datetime]


class AlertSettingsRow(Base):
    """A person's alert settings: quiet hours ("22:00" to "07:00", in their time zone), a daily cap, pause all."""

    __tablename__ = "alert_settings"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    quiet_from: Mapped[str | None] = mapped_column(String(5))
    quiet_to: Mapped[str | None] = mapped_column(String(5))
    daily_cap: Mapped[int | None] = mapped_column(Integer)
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime]


class JobMatchRow(Base):
    """A job that became visible and is still to be matched against the saved searches: written with the post,
    expanded into alerts afterwards (in batches, idempotently), so posting never waits on a large fan-out."""

    __tablename__ = "job_matches"
    __table_args__ = (
        Index(
            "ix_job_matches_waiting",
            "created_at",
            sqlite_where=text("expanded_at IS NULL"),
            postgresql_where=text("expanded_at IS NULL"),
        ),
    )

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime]
    expanded_at: Mapped[datetime | None]


class AlertRow(Base):
    """One alert per (person, job), whichever of their searches matched, with each match's reasons; delivered
    at once or kept for a digest."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("account_id", "job_id", name="uq_alerts_account_job"),
        Index(
            "ix_alerts_digest",
            "account_id",
            "created_at",
            sqlite_where=text("delivered_at IS NULL"),
            postgresql_where=text("delivered_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    reasons: Mapped[dict] = mapped_column(JSON)  # {search id: {"name": ..., "why": [...]}}
    delivery: Mapped[str] = mapped_column(String(8))  # instant|digest
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
