"""One place where every transition is authorised before it runs.

django-fsm checks the source state and conditions when a transition runs, but
not `permission=`; `require_transition` checks all three, in an order that
gives the user the right answer: wrong state, then wrong role, then unmet
conditions with a message for each.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed, can_proceed


class ConditionsNotMet(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(str(m) for m in messages))
        self.messages = messages


def condition(message):
    """Give a transition condition the message a user sees when it fails.

    `message` is a string, or a callable taking the instance and returning a
    list of strings (for conditions with several parts).
    """

    def decorate(func):
        func.message = message
        return func

    return decorate


def _transition(bound_method):
    meta = bound_method._django_fsm
    instance = bound_method.__self__
    return meta, instance, meta.field.get_state(instance)


def is_user_transition(bound_method) -> bool:
    """A transition people ask for, not one the system takes by itself."""
    meta = getattr(bound_method, "_django_fsm", None)
    if meta is None:
        return False
    return not any(t.custom.get("automatic") for t in meta.transitions.values())


def may_take(bound_method, user) -> bool:
    """Whether the transition exists from the current state and the user's role allows it."""
    if not can_proceed(bound_method, check_conditions=False):
        return False
    meta, instance, state = _transition(bound_method)
    return meta.has_transition_perm(instance, state, user)


def unmet_conditions(bound_method) -> list[str]:
    meta, instance, state = _transition(bound_method)
    messages: list[str] = []
    for cond in meta.get_transition(state).conditions:
        if cond(instance):
            continue
        message = getattr(cond, "message", _("A condition of this step is not met."))
        messages.extend(message(instance) if callable(message) else [message])
    return messages


def require_transition(bound_method, user) -> None:
    if not can_proceed(bound_method, check_conditions=False):
        raise TransitionNotAllowed(_("This step is not possible in the case's current state."))
    if not may_take(bound_method, user):
        raise PermissionDenied(_("Your role does not allow this step on this case."))
    unmet = unmet_conditions(bound_method)
    if unmet:
        raise ConditionsNotMet(unmet)
