from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"


def endpoint(view, **initkwargs):
    """Token callers have no session: the site's sign-in requirement is not theirs."""
    return login_not_required(view.as_view(**initkwargs))


urlpatterns = [
    path("schema/", endpoint(SpectacularAPIView), name="schema"),
    path("docs/", endpoint(SpectacularSwaggerSplitView, url_name="api:schema"), name="docs"),
    path("intakes/", endpoint(views.IntakeView), name="intakes"),
    path("online-requests/", endpoint(views.OnlineRequestView), name="online_requests"),
    path("cases/<str:number>/", endpoint(views.CaseStageView), name="case"),
    path("finished-cases/", endpoint(views.FinishedCasesView), name="finished_cases"),
    path("finished-cases/<str:number>/", endpoint(views.FinishedCaseView), name="finished_case"),
    path("figures/", endpoint(views.FiguresView), name="figures"),
    path(
        "membership/applications/",
        endpoint(views.ApplicationsView),
        name="membership_applications",
    ),
]
