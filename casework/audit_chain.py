"""The audit log as a hash chain: an entry changed, removed or inserted later shows.

Each entry carries its place in the chain (`seq`, 1, 2, 3, … without gaps),
the hash of the entry before it (`prev_hash`; the first entry's is
`GENESIS`) and its own hash: SHA-256 over the canonical form of its fields
and `prev_hash`. Changing any field of an entry breaks its own hash; removing
or reordering entries breaks the next entry's `prev_hash` or the sequence;
cutting entries off the end leaves the chain head (`AuditChainHead`) pointing
past the last entry. Someone able to rewrite the whole table could rebuild
every hash: the head copied into each export's audit entry, kept outside the
database, is the anchor against that.

Appends are serialised by locking the head row, so two writers never chain
onto the same entry. The lock is held until the writer's transaction commits
and is always the last lock a write takes (record() runs after the change it
describes).

The canonical form below is a fixed format: the migration that backfilled
existing entries uses it too, so changing it means a new migration that
re-chains (and a new `FORMAT`).
"""

import dataclasses
import hashlib
import ipaddress
import json
from datetime import UTC

from django.utils.translation import gettext_lazy as _

FORMAT = 1
GENESIS = "0" * 64

# The fields that make an entry what it is, in the order they are serialised.
FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "case_id",
    "office_id",
    "object_type",
    "object_id",
    "source_state",
    "target_state",
    "note",
    "details",
    "ip",
    "prev_hash",
)


def canonical(entry) -> bytes:
    """The bytes hashed for `entry` (a model instance, historical or not)."""
    values = {name: getattr(entry, name) for name in FIELDS}
    values["at"] = values["at"].astimezone(UTC).isoformat(timespec="microseconds")
    if values["ip"]:
        # The database may give back an address in its own spelling (inet on PostgreSQL).
        values["ip"] = ipaddress.ip_address(values["ip"]).compressed
    values["format"] = FORMAT
    return json.dumps(
        values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def entry_hash(entry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def chain(entry, head) -> None:
    """Give `entry` its place after `head` (locked by the caller) and move the head on."""
    entry.seq = head.seq + 1
    entry.prev_hash = head.entry_hash or GENESIS
    entry.entry_hash = entry_hash(entry)
    head.seq = entry.seq
    head.entry_hash = entry.entry_hash


def locked_head(model):
    """The chain head row, locked for this transaction (created the first time)."""
    head, _created = model.objects.select_for_update().get_or_create(pk=1)
    return head


def current_head() -> tuple[int, str]:
    """The latest entry's place and hash, as committed (for an export's audit entry)."""
    from .models import AuditChainHead

    head = AuditChainHead.objects.filter(pk=1).first()
    return (head.seq, head.entry_hash) if head else (0, "")


@dataclasses.dataclass
class Result:
    checked: int = 0
    head_seq: int = 0
    head_hash: str = ""
    broken_id: int | None = None
    broken_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


# Why an entry breaks the chain.
ENTRY_CHANGED = _("the entry's content does not match its hash")
LINK_BROKEN = _("the entry does not follow the one before it (an entry was removed or changed)")
GAP = _("entries are missing before this one")
UNCHAINED = _("the entry was written outside the chain")
TAIL_CUT = _("entries are missing after the last one (the chain head names a later one)")
HEAD_BEHIND = _("the chain head does not name the last entry")


def verify(chunk_size: int = 2000) -> Result:
    """Walk the whole chain in order; stop at the first entry that breaks it."""
    from .models import AuditChainHead, AuditEntry

    result = Result()
    head = AuditChainHead.objects.filter(pk=1).first()
    result.head_seq, result.head_hash = (head.seq, head.entry_hash) if head else (0, "")
    unchained = AuditEntry.objects.filter(seq__isnull=True).order_by("pk").first()
    expected_seq, expected_prev, last = 1, GENESIS, None
    entries = AuditEntry.objects.filter(seq__isnull=False).order_by("seq")
    for entry in entries.iterator(chunk_size=chunk_size):
        problem = ""
        if entry.seq != expected_seq:
            problem = GAP
        elif entry.prev_hash != expected_prev:
            problem = LINK_BROKEN
        elif entry.entry_hash != entry_hash(entry):
            problem = ENTRY_CHANGED
        if problem:
            return _broken(result, entry, problem)
        result.checked += 1
        expected_seq, expected_prev, last = entry.seq + 1, entry.entry_hash, entry
    if unchained is not None:
        return _broken(result, unchained, UNCHAINED)
    last_seq, last_hash = (last.seq, last.entry_hash) if last else (0, "")
    if result.head_seq > last_seq:
        result.problem = TAIL_CUT
        result.broken_seq = last_seq + 1
    elif (result.head_seq, result.head_hash or "") != (last_seq, last_hash):
        result.problem = HEAD_BEHIND
        result.broken_id, result.broken_seq = (last.pk, last.seq) if last else (None, None)
    return result


def _broken(result: Result, entry, problem: str) -> Result:
    result.broken_id, result.broken_seq, result.problem = entry.pk, entry.seq, problem
    return result
