"""Tables. The schema itself is created only by the Alembic migrations in migrations/versions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
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


class IdentityRow(Base):
    """A platform user id bound to an account; each platform identity belongs to at most one account."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id", name="uq_identity_platform_user"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]


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
    version: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]


class ProcessedUpdateRow(Base):
    """Inbound update ids already handled, so a redelivered update changes nothing."""

    __tablename__ = "processed_updates"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(index=True)


class FileRow(Base):
    """An uploaded file's bytes, kept by us so it can be shown on any platform (photos, ID documents, briefs)."""

    __tablename__ = "files"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
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
