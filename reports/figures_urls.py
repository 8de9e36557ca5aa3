"""The figures page, its downloads and the leadership report."""

from django.urls import path

from . import figure_views

app_name = "reports"
urlpatterns = [
    path("figures/", figure_views.figures_page, name="figures"),
    path("figures/rules/", figure_views.figure_rules, name="figure_rules"),
    path("figures/report.pdf", figure_views.figures_report, name="figures_report"),
    path("figures/<slug:table>.<slug:format>", figure_views.figures_download, name="figures_table"),
]
