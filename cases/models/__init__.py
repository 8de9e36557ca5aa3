from .casefiles import StoredCaseFile
from .core import (
    KIND_MODELS,
    Case,
    CaseCounter,
    CaseQuerySet,
    CaseWorker,
    Contact,
    Document,
    Note,
    Priority,
    caseworker_step,
    supervises,
    supervisor_step,
)
from .states import FINISHED_STATES, Kind, Outcome, State, state_family
from .wage import (
    Channel,
    Counterparty,
    DisputeCounterparty,
    Forum,
    LimitationEvent,
    MediationSession,
    Payment,
    Relationship,
    WageDispute,
)
from .workers import Occupation, Residence, Worker

KIND_MODELS[Kind.WAGE_DISPUTE] = WageDispute

__all__ = [
    "FINISHED_STATES",
    "KIND_MODELS",
    "Case",
    "CaseCounter",
    "CaseQuerySet",
    "CaseWorker",
    "Channel",
    "Contact",
    "Counterparty",
    "DisputeCounterparty",
    "Document",
    "Forum",
    "Kind",
    "LimitationEvent",
    "MediationSession",
    "Note",
    "Occupation",
    "Outcome",
    "Payment",
    "Priority",
    "Relationship",
    "Residence",
    "State",
    "StoredCaseFile",
    "WageDispute",
    "Worker",
    "caseworker_step",
    "state_family",
    "supervises",
    "supervisor_step",
]
