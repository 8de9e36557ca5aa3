"""Dates at the calendar's ends (year 1, year 9999) are refused next to the field,
not answered with a server error: a period's arithmetic would leave the calendar."""

import pytest

FAR = {"first": "0001-01-01", "last": "9999-12-31"}
MESSAGE = "Enter a date from 1900-01-01 to 2999-12-31."


@pytest.mark.parametrize(
    "path, query",
    [
        ("/audit/exports/", {"finished_from": FAR["first"], "finished_to": FAR["last"]}),
        ("/audit/exports/", {"finished_from": FAR["last"], "finished_to": FAR["last"]}),
        ("/audit/log/", {"date_from": FAR["first"], "date_to": FAR["last"]}),
        ("/figures/", {"period": "custom", "start": FAR["first"], "end": FAR["last"]}),
        ("/figures/", {"period": "custom", "start": "2999-12-31", "end": "2999-12-31"}),
    ],
)
def test_far_dates_are_refused_next_to_the_field(login_as, auditor, path, query):
    answer = login_as(auditor).get(path, query)
    if query.get("start") == "2999-12-31":
        assert answer.status_code == 200  # the last day allowed still counts
        return
    assert answer.status_code == 400
    assert MESSAGE in answer.content.decode()
