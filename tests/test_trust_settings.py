"""Settings for a trust: whose bank holidays close the Wall, and what the urgent help,
privacy and accessibility pages say about the service that runs SHaRON."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from flask import Blueprint

from sharon.config import load
from sharon.wall import hours
from sharon.wall.hours import NATIONS, Calendar, bank_holiday
from tests.helpers import sign_in, text

WEEKDAYS_9_TO_5 = tuple((day, time(9), time(17)) for day in range(5))
ST_ANDREWS_DAY = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)  # a Monday
ST_PATRICKS_DAY = datetime(2026, 3, 17, 11, 0, tzinfo=UTC)  # a Tuesday
BOYNE_OBSERVED = datetime(2026, 7, 13, 11, 0, tzinfo=UTC)  # a Monday
EASTER_MONDAY = datetime(2026, 4, 6, 11, 0, tzinfo=UTC)  # not a holiday in Scotland


# --- Bank holidays -----------------------------------------------------------------------

@pytest.mark.parametrize(("at", "closed_in"), [
    (ST_ANDREWS_DAY, {"scotland"}),
    (ST_PATRICKS_DAY, {"northern-ireland"}),
    (BOYNE_OBSERVED, {"northern-ireland"}),
    (EASTER_MONDAY, {"england-and-wales", "northern-ireland"}),
])
def test_the_wall_closes_by_the_chosen_nations_calendar(at, closed_in):
    for nation in NATIONS:
        calendar = Calendar(weekly=WEEKDAYS_9_TO_5, nation=nation)
        assert calendar.is_open(at) is (nation not in closed_in), nation


def test_bank_holidays_are_named_for_the_nation():
    assert bank_holiday(date(2026, 11, 30), "scotland") == "Saint Andrew's Day"
    assert bank_holiday(date(2026, 11, 30), "england-and-wales") is None
    assert bank_holiday(date(2026, 3, 17), "northern-ireland") == "Saint Patrick's Day"


def test_an_unknown_nation_is_refused():
    with pytest.raises(ValueError):
        Calendar(nation="wales")


def test_the_settings_choices_are_the_nations(tmp_path):
    for nation in NATIONS:
        config = load({"SHARON_SECRET_KEY": "k", "SHARON_BANK_HOLIDAYS": nation},
                      instance_path=str(tmp_path))
        assert config["SHARON_BANK_HOLIDAYS"] == nation
    assert load({"SHARON_SECRET_KEY": "k"}, instance_path=str(tmp_path))[
        "SHARON_BANK_HOLIDAYS"] == "england-and-wales"


@pytest.mark.parametrize("app_config", [{"SHARON_BANK_HOLIDAYS": "scotland"}])
def test_the_app_follows_its_setting(app, frozen_clock):
    """The Wall's own calendar, any calendar made inside the app (the dashboard's), and
    the staff page's list of coming bank holidays."""
    frozen_clock.now = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
    assert hours.is_open(frozen_clock.now)  # a Friday: open, by the migrated 9 to 5
    assert not hours.is_open(ST_ANDREWS_DAY)
    assert hours.current(ST_ANDREWS_DAY).open is False
    assert not Calendar(weekly=WEEKDAYS_9_TO_5).is_open(ST_ANDREWS_DAY)
    assert (date(2026, 11, 30), "Saint Andrew's Day") in hours.upcoming_bank_holidays()
    assert hours.nation_name() == "Scotland"


@pytest.mark.parametrize("app_config", [{"SHARON_BANK_HOLIDAYS": "scotland"}])
def test_the_staff_sessions_page_names_the_nation(client, make_user):
    make_user(username="dr_lee", role="clinician")
    sign_in(client, "dr_lee")
    shown = text(client.get("/wall/sessions"))
    assert "Scotland bank holidays are closed automatically." in shown
    assert "England and Wales" not in shown


def test_england_and_wales_by_default(app):
    assert hours.is_open(ST_ANDREWS_DAY)
    assert not hours.is_open(EASTER_MONDAY)
    assert hours.nation_name() == "England and Wales"


# --- The urgent help page ----------------------------------------------------------------

TRUST = {
    "SHARON_SERVICE_NAME": "Anytown Talking Therapies",
    "SHARON_LOCAL_CRISIS_LINE": ("Anytown crisis line", "0800 000 1111"),
    "SHARON_SELF_REFERRAL_URL": "https://anytown.nhs.uk/refer",
    "SHARON_PRIVACY_CONTROLLER": "Anytown NHS Foundation Trust",
    "SHARON_PRIVACY_CONTACT": ("dpo@anytown.nhs.uk", "mailto:dpo@anytown.nhs.uk"),
    "SHARON_RETENTION_AUDIT_YEARS": 6,
    "SHARON_RETENTION_LOG_DAYS": 14,
    "SHARON_ACCESSIBILITY_CONTACT": ("https://anytown.nhs.uk/access",
                                     "https://anytown.nhs.uk/access"),
    "SHARON_ACCESSIBILITY_REVIEWED": date(2026, 3, 31),
}


@pytest.mark.parametrize("app_config", [TRUST])
def test_the_urgent_help_page_names_the_service(client):
    response = client.get("/help/urgent")
    page, html = text(response), response.get_data(as_text=True)
    assert "our team at Anytown Talking Therapies may not see your message" in page
    assert "Anytown crisis line" in page and 'href="tel:08000001111"' in html
    assert "Going back to Anytown Talking Therapies" in page
    assert 'href="https://anytown.nhs.uk/refer">refer yourself to Anytown Talking' in html


def test_the_urgent_help_page_without_trust_settings(client):
    page = text(client.get("/help/urgent"))
    assert "our team may not see" in page
    assert "Going back to" not in page  # no self-referral link to offer


# --- The privacy page --------------------------------------------------------------------

@pytest.mark.parametrize("app_config", [TRUST])
def test_the_privacy_page_names_the_controller_contact_and_retention(client):
    response = client.get("/privacy")
    page, html = text(response), response.get_data(as_text=True)
    assert "SHaRON is run by Anytown Talking Therapies." in page
    assert "The data controller is Anytown NHS Foundation Trust." in page
    assert '<a href="mailto:dpo@anytown.nhs.uk">dpo@anytown.nhs.uk</a>' in html
    assert "reports, risk flags and sanctions: 6 years" in page
    assert "addresses of the devices that visit: 14 days" in page
    assert "Not configured" not in page


def test_the_privacy_page_says_plainly_what_is_not_configured(client):
    page = text(client.get("/privacy"))
    assert "SHaRON is run by your talking therapy service." in page
    assert "Not configured yet: this installation has not named its data controller" in page
    assert "SHARON_PRIVACY_CONTACT" in page
    assert ": 8 years" in page and ": 30 days" in page  # the defaults


def test_your_rights_links_to_your_data(app, client):
    if "mydata.index" not in app.view_functions:  # an installation from before My data
        stub = Blueprint("mydata", __name__)
        stub.add_url_rule("/account/data", "index", lambda: "your data")
        app.register_blueprint(stub)
    response = client.get("/privacy")
    assert "You can download a copy of your data and delete your account" in text(response)
    assert ">Your data</a>" in response.get_data(as_text=True)


def test_your_rights_without_a_your_data_page_has_no_dead_link(app, client, monkeypatch):
    nav_link = app.jinja_env.globals["nav_link"]
    monkeypatch.setitem(app.jinja_env.globals, "nav_link",
                        lambda endpoint: None if endpoint == "mydata.index" else nav_link(endpoint))
    response = client.get("/privacy")
    assert "under Your data" in text(response)
    assert ">Your data</a>" not in response.get_data(as_text=True)


# --- The accessibility statement ---------------------------------------------------------

@pytest.mark.parametrize("app_config", [TRUST])
def test_the_accessibility_statement_has_its_contact_and_date(client):
    response = client.get("/accessibility")
    page, html = text(response), response.get_data(as_text=True)
    assert 'href="https://anytown.nhs.uk/access"' in html
    assert "last reviewed on 31 March 2026" in page
    assert "Equality Advisory and Support Service" in page


def test_the_accessibility_statement_without_trust_settings(client):
    page = text(client.get("/accessibility"))
    assert "please tell the SHaRON team" in page
    assert "has not said when its statement was last reviewed" in page


def test_contacts_are_links_whichever_form_they_take(tmp_path):
    config = load({"SHARON_SECRET_KEY": "k", "SHARON_PRIVACY_CONTACT": " dpo@trust.nhs.uk ",
                   "SHARON_ACCESSIBILITY_CONTACT": "https://trust.nhs.uk/a11y",
                   "SHARON_ACCESSIBILITY_REVIEWED": "2026-01-15",
                   "SHARON_SERVICE_NAME": "  Anytown Talking Therapies "},
                  instance_path=str(tmp_path))
    assert config["SHARON_PRIVACY_CONTACT"] == ("dpo@trust.nhs.uk", "mailto:dpo@trust.nhs.uk")
    assert config["SHARON_ACCESSIBILITY_CONTACT"] == ("https://trust.nhs.uk/a11y",) * 2
    assert config["SHARON_ACCESSIBILITY_REVIEWED"] == date(2026, 1, 15)
    assert config["SHARON_SERVICE_NAME"] == "Anytown Talking Therapies"
