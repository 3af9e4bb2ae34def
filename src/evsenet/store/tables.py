"""The schema. Invariants live here too, so concurrent writers cannot break them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from evsenet.store.types import ExactDecimal, UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Id = BigInteger().with_variant(Integer(), "sqlite")

operators = Table(
    "operators",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("operator_id", String(12), nullable=False, unique=True),
    Column("display_id", String(12), nullable=False),
    Column("name", String(100), nullable=False, server_default=""),
    Column("created_at", UtcDateTime, nullable=False),
)

sub_operators = Table(
    "sub_operators",
    metadata,
    Column("prefix", String(12), primary_key=True),
    Column(
        "operator_pk",
        Id,
        ForeignKey("operators.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("display_prefix", String(12), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
"""EVSE ID prefixes an operator (a hub) may push for. A prefix has one owner."""

prefix_claims = Table(
    "prefix_claims",
    metadata,
    Column("prefix", String(12), primary_key=True),
    Column(
        "operator_pk",
        Id,
        ForeignKey("operators.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
)
"""Every operator ID prefix in use, as an operator's own ID or as a sub-operator prefix.

Its primary key is what keeps one prefix to one owner when two requests claim it at once.
"""

evses = Table(
    "evses",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("operator_pk", Id, ForeignKey("operators.id", ondelete="CASCADE"), nullable=False),
    Column("evse_id", String(41), nullable=False),
    Column("evse_id_sent", String(41), nullable=False),
    Column("charging_station_id", String(50), nullable=False),
    Column("country", String(3), nullable=False),
    Column("city", String(50), nullable=False),
    Column("postal_code", String(10), nullable=False),
    Column("city_key", String(150), nullable=False, server_default=""),
    Column("postal_code_key", String(30), nullable=False, server_default=""),
    Column("street", String(100), nullable=False),
    Column("house_number", String(10), nullable=False),
    Column("latitude", ExactDecimal(9, 6), nullable=False),
    Column("longitude", ExactDecimal(9, 6), nullable=False),
    Column("power_type", String(10), nullable=False),
    Column("output_kw", ExactDecimal(7, 2), nullable=False),
    Column("plugs", String(400), nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("withdrawn_at", UtcDateTime, nullable=True),
    UniqueConstraint("operator_pk", "evse_id"),
    CheckConstraint("power_type IN ('AC_1_PHASE', 'AC_3_PHASE', 'DC')", name="power_type"),
    CheckConstraint("output_kw > 0 AND output_kw <= 1000", name="output_kw"),
    CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
    CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
)
"""The operator's inventory. A withdrawn EVSE keeps its row (history) with `withdrawn_at`."""

providers = Table(
    "providers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("provider_id", String(5), nullable=False, unique=True),
    Column("display_id", String(6), nullable=False),
    Column("name", String(255), nullable=False, server_default=""),
    Column("created_at", UtcDateTime, nullable=False),
)
"""E-mobility providers (EMPs): `provider_id` is the normalised ID (`DEICE`), `display_id`
the written form (`DE*ICE`). A provider owns no operator data."""

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("operator_pk", Id, ForeignKey("operators.id", ondelete="CASCADE"), nullable=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("label", String(100), nullable=False, server_default=""),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("provider_pk", Id, ForeignKey("providers.id", ondelete="CASCADE"), nullable=True),
    CheckConstraint("(operator_pk IS NULL) <> (provider_pk IS NULL)", name="one_party"),
)
"""API bearer tokens; only a SHA-256 digest of each token is kept. A token belongs to
exactly one operator or exactly one provider."""

ACTIVE = text("withdrawn_at IS NULL")
LIST_INDEXES = {
    "ix_evses_active": ("operator_pk", "evse_id"),
    "ix_evses_active_city": ("operator_pk", "city_key", "power_type", "output_kw", "evse_id"),
    "ix_evses_active_postal_code": ("operator_pk", "postal_code_key", "power_type", "evse_id"),
    "ix_evses_active_power": ("operator_pk", "power_type", "output_kw", "evse_id"),
    "ix_evses_active_country": ("operator_pk", "country", "power_type", "evse_id"),
    "ix_evses_active_city_sort": ("operator_pk", "city", "evse_id"),
}
"""Partial indexes over the active EVSEs for the network lists and the inventory filters:
each leads with the operator and a filter, carries the other common filters (so that a
count reads the index alone) and ends with the EVSE ID, the default order and the keyset
tie-breaker."""
for _name, _columns in LIST_INDEXES.items():
    Index(
        _name,
        *(evses.c[c] for c in _columns),
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
        postgresql_include=["id"],  # SQLite's indexes carry the row id anyway
    )

networks = Table(
    "networks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("operator_pk", Id, ForeignKey("operators.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("name_key", String(300), nullable=False),
    Column("description", String(500), nullable=False, server_default=""),
    Column("status", String(10), nullable=False, server_default="draft"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("activated_at", UtcDateTime, nullable=True),
    UniqueConstraint("operator_pk", "name_key"),
    CheckConstraint("status IN ('draft', 'active')", name="status"),
    CheckConstraint("length(name) BETWEEN 1 AND 100", name="name_length"),
)
"""An operator's EVSE networks. `name_key` is the case-folded name: names are unique per
operator ignoring letter case."""

evse_groups = Table(
    "evse_groups",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("network_pk", Id, ForeignKey("networks.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(30), nullable=False),
    Column("name_key", String(90), nullable=False),
    Column("description", String(500), nullable=False, server_default=""),
    Column("created_at", UtcDateTime, nullable=False),
    Column("evse_count", Integer, nullable=False, server_default="0"),
    UniqueConstraint("network_pk", "name_key"),
    UniqueConstraint("id", "network_pk"),
    CheckConstraint("length(name) BETWEEN 1 AND 30", name="name_length"),
)
"""Groups of a network; names unique within the network ignoring letter case (`name_key`).
(id, network_pk) is unique so that an assignment can name both and the database keeps an
EVSE's group inside its network. `evse_count` counts its assignments (withdrawn EVSEs
included), kept by every write to `assignments`."""

operator_counters = Table(
    "operator_counters",
    metadata,
    Column("operator_pk", Id, ForeignKey("operators.id", ondelete="CASCADE"), primary_key=True),
    Column("unassigned_evses", Integer, nullable=False, server_default="0"),
    Column("version", BigInteger, nullable=False, server_default="0"),
)
"""`unassigned_evses` counts the operator's active EVSEs in no group (the unassigned
list's unfiltered total), kept in the transaction of every write that changes it
(`store/repositories/counters.py`). `version` is the operator's data version: every write
that can change a list's members or a filter's answer increments it, so that a total
cached under an older version is never served (`store/count_cache.py`). An operator has a
row once it has EVSEs."""

assignments = Table(
    "assignments",
    metadata,
    Column("evse_pk", Id, primary_key=True),
    Column("group_pk", Id, nullable=False),
    Column("network_pk", Id, nullable=False),
    Column("evse_key", String(41), nullable=False),
    Column("assigned_at", UtcDateTime, nullable=False),
    Index("ix_assignments_network_pk_group_pk", "network_pk", "group_pk", "evse_key"),
    Index("ix_assignments_network_pk_evse_key", "network_pk", "evse_key"),
)
"""Which group each assigned EVSE is in. The EVSE is the primary key: one group (and so
one network) per EVSE, whatever two requests try at once. `evse_key` repeats the EVSE's
normalised ID (which never changes), so that the assigned list pages in ID order and
counts from this table's indexes alone.

The references to the EVSE (`evse_pk`) and to the group in its network (`group_pk`,
`network_pk`) are kept by triggers, not foreign keys (migration 0012): checked once per
statement on PostgreSQL instead of row by row, with the same cascades on delete."""

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("operator_pk", Id, ForeignKey("operators.id", ondelete="CASCADE"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor_kind", String(10), nullable=False),
    Column("actor_id", String(100), nullable=True),
    Column("actor_label", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("network_pk", Id, nullable=True),
    Column("counts", Text, nullable=False, server_default="{}"),
    Column("evse_ids", Text, nullable=False, server_default="[]"),
    Column("evse_ids_total", Integer, nullable=False, server_default="0"),
    Index("ix_audit_log_operator_pk_id", "operator_pk", "id"),
)
"""Every change to networks, groups and assignments, written in the transaction that made
it. `network_pk` has no foreign key: the entry outlives a deleted network. `counts` is a
JSON object, `evse_ids` a JSON list of at most 1,000 EVSE IDs (`evse_ids_total` counts
them all)."""

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("operator_pk", Id, ForeignKey("operators.id", ondelete="CASCADE"), nullable=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("failed_sign_ins", Integer, nullable=False, server_default="0"),
    Column("last_failed_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("provider_pk", Id, ForeignKey("providers.id", ondelete="CASCADE"), nullable=True),
    CheckConstraint("failed_sign_ins >= 0", name="failed_sign_ins"),
    CheckConstraint("(operator_pk IS NULL) <> (provider_pk IS NULL)", name="one_party"),
)
"""People who sign in to the web UI, each bound to exactly one party: an operator or a
provider. Passwords as argon2 hashes."""

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_pk", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)
"""Signed-in browser sessions. The cookie holds a random token; only its SHA-256 digest is
kept, with the session's CSRF token. Signing out deletes the row."""

offers = Table(
    "offers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("operator_pk", Id, ForeignKey("operators.id", ondelete="CASCADE"), nullable=False),
    Column("network_pk", Id, ForeignKey("networks.id", ondelete="CASCADE"), nullable=False),
    Column("chain_pk", Id, ForeignKey("offers.id"), nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("previous_offer_id", Id, ForeignKey("offers.id"), nullable=True),
    Column("next_offer_id", Id, ForeignKey("offers.id"), nullable=True),
    Column("status", String(10), nullable=False, server_default="draft"),
    Column("placeholder_id", String(100), nullable=False, server_default=""),
    Column("name", String(255), nullable=False),
    Column("description", String(255), nullable=False, server_default=""),
    Column("service_type", Integer, nullable=False),
    Column("offer_to_all", Boolean, nullable=False),
    Column("valid_from", UtcDateTime, nullable=False),
    Column("valid_to", UtcDateTime, nullable=True),
    Column("notice_days", Integer, nullable=True),
    Column("notice_message", String(255), nullable=False, server_default=""),
    Column("lead_time_days", Integer, nullable=True),
    Column("cancellation_days", Integer, nullable=False),
    Column("minimum_term_days", Integer, nullable=False),
    Column("two_step", Text, nullable=True),
    Column("attachment_id", String(100), nullable=True),
    Column("vat_percent", ExactDecimal(5, 2), nullable=False),
    Column("pricing", Text, nullable=False),
    Column("effective_from", UtcDateTime, nullable=False),
    Column("effective_to", UtcDateTime, nullable=True),
    Column("published_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("previous_offer_id"),
    UniqueConstraint("next_offer_id"),
    UniqueConstraint("chain_pk", "version"),
    CheckConstraint("status IN ('draft', 'published')", name="status"),
    CheckConstraint("version >= 1", name="version_positive"),
    CheckConstraint("(version = 1) = (previous_offer_id IS NULL)", name="version_link"),
    CheckConstraint(
        "status = 'published' OR (version = 1 AND next_offer_id IS NULL)", name="draft_unlinked"
    ),
    CheckConstraint(
        "(status = 'published') = (published_at IS NOT NULL AND chain_pk IS NOT NULL)",
        name="published_fields",
    ),
    CheckConstraint(
        "effective_to IS NULL OR effective_to > effective_from", name="effective_period"
    ),
    CheckConstraint("service_type IN (1, 10)", name="service_type"),
    CheckConstraint(
        "(valid_to IS NULL) = (lead_time_days IS NOT NULL)", name="limited_or_unlimited"
    ),
    CheckConstraint("vat_percent >= 0 AND vat_percent <= 100", name="vat_percent"),
    Index("ix_offers_operator_pk_id", "operator_pk", "id"),
    Index("ix_offers_network_pk_effective_from", "network_pk", "effective_from"),
)
"""Service offers: drafts and published price versions. The terms are columns; the
prices (tariffs and per-group schedules) are one JSON document (`pricing`), written once
and never changed after publishing. A chain of price versions shares `chain_pk` (the id
of version 1); version N links to N+1 (`next_offer_id`) and back (`previous_offer_id`),
each link unique, so that a version has one successor whatever two requests try at once.
`effective_from`/`effective_to` is when the version prices sessions: version 1 starts at
`valid_from`, N+1 at its update date, and N ends where N+1 starts."""

offer_providers = Table(
    "offer_providers",
    metadata,
    Column("offer_pk", Id, ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
    Column("provider_id", String(5), primary_key=True),
    Index("ix_offer_providers_provider_id", "provider_id", "offer_pk"),
)
"""The audience of a bilateral offer: normalised provider IDs (`DEICE`)."""

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
"""The largest terms-and-conditions PDF an operator may upload."""

offer_attachments = Table(
    "offer_attachments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("operator_pk", Id, ForeignKey("operators.id", ondelete="CASCADE"), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint(f"size BETWEEN 1 AND {MAX_ATTACHMENT_BYTES}", name="size"),
    CheckConstraint("length(content) = size", name="size_matches"),
    Index("ix_offer_attachments_operator_pk_id", "operator_pk", "id"),
)
"""Terms-and-conditions PDFs, kept in the database (an offer names one by id)."""

LIVE_SUBSCRIPTION = text("status <> 'cancelled'")

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("provider_pk", Id, ForeignKey("providers.id", ondelete="CASCADE"), nullable=False),
    Column("operator_pk", Id, ForeignKey("operators.id", ondelete="CASCADE"), nullable=False),
    Column("offer_pk", Id, ForeignKey("offers.id", ondelete="CASCADE"), nullable=False),
    Column("chain_pk", Id, ForeignKey("offers.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(12), nullable=False),
    Column("master_data", Text, nullable=False, server_default="{}"),
    Column("terms_confirmed", Boolean, nullable=False, server_default=text("false")),
    Column("reject_reason", String(40), nullable=True),
    Column("reject_message", String(500), nullable=False, server_default=""),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("subscribed_at", UtcDateTime, nullable=True),
    Column("rejected_at", UtcDateTime, nullable=True),
    Column("cancellation_requested_at", UtcDateTime, nullable=True),
    Column("cancelled_from", UtcDateTime, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint(
        "status IN ('requested', 'rejected', 'subscribed', 'cancelled')", name="status"
    ),
    CheckConstraint(
        "reject_reason IS NULL OR reject_reason IN ('INCORRECT_DATA_FORMAT', 'INVALID_VAT_ID', "
        "'BUSINESS_REQUIREMENTS_NOT_MATCHED', 'NOT_ELIGIBLE', 'OTHERS')",
        name="reject_reason",
    ),
    CheckConstraint("(status = 'rejected') = (reject_reason IS NOT NULL)", name="rejected_why"),
    CheckConstraint(
        "(status IN ('subscribed', 'cancelled')) = (subscribed_at IS NOT NULL)",
        name="subscribed_date",
    ),
    CheckConstraint(
        "(status = 'cancelled') = (cancelled_from IS NOT NULL "
        "AND cancellation_requested_at IS NOT NULL)",
        name="cancelled_dates",
    ),
    Index("ix_subscriptions_operator_pk_chain_pk", "operator_pk", "chain_pk"),
    Index("ix_subscriptions_provider_pk_id", "provider_pk", "id"),
    Index(
        "uq_subscriptions_live",
        "chain_pk",
        "provider_pk",
        unique=True,
        sqlite_where=LIVE_SUBSCRIPTION,
        postgresql_where=LIVE_SUBSCRIPTION,
    ),
)
"""A provider's subscription to an offer chain (`chain_pk`, the id of version 1; `offer_pk`
the version it subscribed to). At most one live (not cancelled) subscription per chain and
provider. `master_data` is the JSON object of the submitted two-step fields."""
