"""The states every kind of case shares: the vocabulary of queues, badges and filters.

Both the case core and the workers' files read it, so it lives apart from both.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    WAGE_DISPUTE = "WD", _("wage dispute")
    HARDSHIP_AID = "HA", _("hardship aid")
    MEDICAL_CARD = "MC", _("medical card")


class State(models.TextChoices):
    """Every kind's states in one list, so queues can filter across kinds."""

    INTAKE = "intake", _("intake")
    ACCEPTED = "accepted", _("accepted")
    INVESTIGATING = "investigating", _("investigating")
    MEDIATING = "mediating", _("mediating")
    AGREEMENT = "agreement", _("agreement reached")
    PERFORMED = "performed", _("performed")
    MEDIATION_FAILED = "mediation_failed", _("mediation failed")
    REFERRED = "referred", _("referred to arbitration or court")
    # Hardship aid
    APPLICATION = "application", _("application")
    ASSESSMENT = "assessment", _("assessment")
    RECOMMENDED = "recommended", _("recommended, awaiting approval")
    APPROVED = "approved", _("approved")
    DISBURSED = "disbursed", _("disbursed")
    # Medical card
    SUBMITTED = "submitted", _("submitted")
    VERIFIED = "verified", _("verified, awaiting approval")
    CARD_ISSUED = "card_issued", _("card issued")
    # Every kind
    CLOSED = "closed", _("closed")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")
    REJECTED = "rejected", _("rejected")


FINISHED_STATES = (State.CLOSED, State.DECLINED, State.WITHDRAWN, State.REJECTED)
NEW_STATES = (State.INTAKE, State.APPLICATION, State.SUBMITTED)
# Waiting for someone outside the caseworker's hands (badge colour amber).
WAITING_STATES = (State.AGREEMENT, State.REFERRED, State.RECOMMENDED, State.VERIFIED)


def state_family(state: str) -> str:
    """The badge colour family of a state (UI.md): one per family across kinds."""
    if state in NEW_STATES:
        return "new"
    if state == State.CLOSED:
        return "done"
    if state in FINISHED_STATES:
        return "muted"
    if state in WAITING_STATES:
        return "waiting"
    return "active"


class Outcome(models.TextChoices):
    PERFORMED = "performed", _("agreement performed")
    SHORTFALL = "shortfall", _("closed with a shortfall")
    REFERRAL = "referral", _("closed after referral")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")
    REJECTED = "rejected", _("rejected")
    DISBURSED = "disbursed", _("aid disbursed")
    CARD_ISSUED = "card_issued", _("card issued")
