"""Searches by name, phone or ID number that put no personal identifier in a URL.

Issue 16 (OWASP ASVS 5.0 V14.2.1, PIPL Art. 51): a search text in a query string
lands in browser history, the server's request log (runserver and gunicorn log
the path and query) and, through the Referer header, anywhere a link leads. So
a search form posts its text; the view keeps it in the user's session (stored
server-side, in the database) under a random token and redirects to its results
with ``?search=<token>`` where the text would have been. Paging, sorting and the
other filters carry the token, which means nothing outside that session. A
``q`` typed into a URL by hand is ignored rather than run, so no page of ours
ever answers to (and invites) one: it is redirected to the same address
without it, so it stays in no address bar and no link of the page.
"""

import secrets

from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect, QueryDict
from django.utils.translation import gettext as _

SESSION_KEY = "searches"
PARAM = "search"  # the token's name in a results URL
TEXT = "q"  # the search field's name in the forms
KEEP = 20  # the newest tokens a session keeps; older result links ask to search again


def remember(request: HttpRequest, text: str) -> str:
    """Store `text` in the session and return the token that stands for it."""
    searches = dict(request.session.get(SESSION_KEY, {}))
    token = secrets.token_urlsafe(12)
    searches[token] = text
    for old in list(searches)[:-KEEP]:
        del searches[old]
    request.session[SESSION_KEY] = searches
    return token


def recall(request: HttpRequest) -> str:
    """The text behind the request's token ('' when there is none or it is unknown).

    An unknown token (another session's, or dropped as too old) says so once, so
    the user searches again instead of trusting an empty list.
    """
    token = request.GET.get(PARAM, "")
    if not token:
        return ""
    text = request.session.get(SESSION_KEY, {}).get(token)
    if text is None:
        messages.info(request, _("That search has expired; please search again."))
        return ""
    return text


def typed_into_url(request: HttpRequest) -> HttpResponseRedirect | None:
    """A redirect dropping a search text typed into the URL, or None when there is none."""
    if TEXT not in request.GET:
        return None
    query = request.GET.copy()
    query.pop(TEXT)
    return HttpResponseRedirect(f"{request.path}?{query.urlencode()}" if query else request.path)


def get_data(request: HttpRequest) -> QueryDict:
    """The request's GET parameters with the search text in place of its token."""
    data = request.GET.copy()
    data.pop(TEXT, None)  # never run a search from a URL (typed_into_url redirects)
    data.pop(PARAM, None)
    if text := recall(request):
        data[TEXT] = text
    return data


def results_redirect(request: HttpRequest, keep: list[tuple[str, str]]) -> HttpResponseRedirect:
    """Redirect a posted search to its results: `keep` and the token, never the text."""
    query = QueryDict(mutable=True)
    for name, value in keep:
        if value and name not in (TEXT, PARAM, "csrfmiddlewaretoken", "page"):
            query.appendlist(name, value)
    text = request.POST.get(TEXT, "").strip()
    if text:
        query[PARAM] = remember(request, text)
    return HttpResponseRedirect(f"{request.path}?{query.urlencode()}" if query else request.path)


def posted_items(request: HttpRequest) -> list[tuple[str, str]]:
    return [(name, value) for name in request.POST for value in request.POST.getlist(name)]
