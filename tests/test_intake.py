"""Intake: prefill from `/escalate <free text>` and validating what the modal sends back."""

import pytest

from bot.escalations.intake import (
    CUSTOMER_MAX,
    SUMMARY_MAX,
    IntakeForm,
    parse_amount,
    parse_count,
    validate_intake,
)
from bot.escalations.prefill import first_sentence, guess_customer, parse_free_text
from bot.policy.model import default_policy

POLICY = default_policy()

OKAFOR = (
    "Email from David Okafor, 4-year enterprise customer (pays $180k/year). He's furious. Three weeks ago "
    "we migrated his data to a new server and corrupted 6 months of his historical reports. He's been in "
    "touch with our tier-1 team 8 times. Nothing has been fixed. He just sent a 2am email saying he's "
    "contacting our CEO tomorrow, posting on LinkedIn, and has already spoken to a competing vendor. He "
    "used the words 'breach of contract' and 'incompetence'."
)
ACME = "API returning 500 errors intermittently for Acme Corp"
EXPORT = "Data export is missing rows — 3 customers reported this week"
SSO = "SSO login loop affecting all Enterprise customers"


# ---------------------------------------------------------------------------------------------------------
# Prefill from the four seed situations (seed 000 and seed 003)
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "customer", "contact", "tier", "arr"),
    [
        (OKAFOR, None, "David Okafor", "enterprise", 180_000),  # a person, not an account: left to the agent
        (ACME, "Acme Corp", None, None, None),
        (EXPORT, None, None, None, None),
        (SSO, None, None, "enterprise", None),
    ],
    ids=["okafor", "acme", "export", "sso"],
)
def test_seed_situations_prefill_customer_tier_and_arr(text, customer, contact, tier, arr):
    draft = parse_free_text(text, POLICY)
    assert draft.customer == customer
    assert draft.contact_name == contact
    assert draft.tier == tier
    assert draft.arr == arr


def test_okafor_prefill_keeps_the_whole_text_flags_linkedin_and_summarises_what_went_wrong():
    draft = parse_free_text("  " + OKAFOR + "\n", POLICY)
    assert draft.text == OKAFOR  # trimmed, nothing else lost
    assert draft.summary.startswith("Three weeks ago we migrated his data") and "corrupted" in draft.summary
    assert draft.public_exposure is True  # "posting on LinkedIn"
    assert draft.regulatory is False
    assert draft.users_affected is None  # "8 times", "6 months" are not users


def test_okafor_is_not_typed_as_a_security_escalation():
    assert parse_free_text(OKAFOR, POLICY).escalation_type != "security"


def test_a_three_customer_report_is_not_mistaken_for_users_affected():
    assert parse_free_text(EXPORT, POLICY).users_affected is None


@pytest.mark.parametrize(
    ("text", "users"),
    [
        ("Dashboards blank for 250 users at Globex", 250),
        ("1,200 seats locked out", 1_200),
        ("about 1.5k employees cannot log in", 1_500),
        ("300 active users see errors", 300),
        ("3 customers reported this week", None),
    ],
)
def test_users_affected_prefill(text, users):
    assert parse_free_text(text, POLICY).users_affected == users


@pytest.mark.parametrize(
    ("text", "arr"),
    [
        ("Initech ($250k ARR) is furious", 250_000),
        ("renewal worth $1.2M is at risk", 1_200_000),
        ("they pay $ 95,000 a year", 95_000),
        ("they pay $2 million", 2_000_000),
        ("no money mentioned, 180k rows missing", None),
    ],
)
def test_arr_prefill_needs_a_dollar_amount(text, arr):
    assert parse_free_text(text, POLICY).arr == arr


# ---------------------------------------------------------------------------------------------------------
# Money and counts as typed in the modal
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "dollars"),
    [
        ("$180k", 180_000),
        ("180,000", 180_000),
        ("1.2M", 1_200_000),
        (" 250 ", 250),
        ("1.5k", 1_500),
        ("$ 180 k", 180_000),
        ("$1.2 million", 1_200_000),
        ("2mm", 2_000_000),
        ("75 thousand", 75_000),
        ("$180K", 180_000),
    ],
)
def test_parse_amount_accepts(typed, dollars):
    assert parse_amount(typed) == dollars


@pytest.mark.parametrize("typed", ["abc", "12x", "-5", "", "$", "1e5", "$180k/year", "k"])
def test_parse_amount_rejects(typed):
    with pytest.raises(ValueError):
        parse_amount(typed)


@pytest.mark.parametrize(
    ("typed", "count"),
    [("250", 250), (" 250 ", 250), ("1,200", 1_200), ("1.5k", 1_500), ("2K", 2_000), ("0", 0)],
)
def test_parse_count_accepts(typed, count):
    assert parse_count(typed) == count


@pytest.mark.parametrize("typed", ["abc", "12x", "-5", "1.5", "", "lots", "1.2345k", "10%"])
def test_parse_count_rejects(typed):
    with pytest.raises(ValueError):
        parse_count(typed)


# ---------------------------------------------------------------------------------------------------------
# Flags, types, customer, summary
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "public", "regulatory"),
    [
        ("Customer says they will post on LinkedIn tonight", True, False),
        ("A journalist asked us about the outage", True, False),
        ("He threatened to leave a review on Trustpilot", True, False),
        ("GDPR deletion request is overdue", False, True),
        ("Their lawyer sent a letter", False, True),
        ("HIPAA data shown to the wrong clinic, and it is on Reddit", True, True),
        ("Dashboards are slow", False, False),
    ],
)
def test_public_exposure_and_regulatory_flags(text, public, regulatory):
    draft = parse_free_text(text, POLICY)
    assert (draft.public_exposure, draft.regulatory) == (public, regulatory)


@pytest.mark.parametrize(
    "text",
    [
        "Customer expressed frustration about slow dashboards",
        "Their CFO is under pressure from the board",
        "Compressed files fail to upload",
    ],
)
def test_public_exposure_is_not_set_by_words_that_merely_contain_press(text):
    assert parse_free_text(text, POLICY).public_exposure is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Possible security breach: unauthorized logins from abroad", "security"),
        ("Phishing email sent from our domain", "security"),
        ("Audit log export needed for SOX review", "compliance"),
        ("GDPR data subject request overdue", "compliance"),
        ("Invoice charged twice, they want a refund", "billing"),
        ("Threatening to cancel at renewal, talking to a competitor", "business"),
        ("No response from the support team for two weeks", "service"),
        ("Dashboards are slow", "technical"),
        ("", "technical"),
    ],
)
def test_guess_type(text, expected):
    assert parse_free_text(text, POLICY).escalation_type == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He used the words 'breach of contract'", "business"),
        ("Memory leak in the export worker makes dashboards slow", "technical"),
    ],
)
def test_guess_type_false_friends(text, expected):
    assert parse_free_text(text, POLICY).escalation_type == expected


@pytest.mark.parametrize(
    ("text", "customer"),
    [
        ("Acme Corp: SSO is broken", "Acme Corp"),
        ("Globex - dashboards slow", "Globex"),
        ("customer Initech reports slow exports", "Initech"),
        ("Outage at Hooli since Friday", "Hooli"),
        ("Reports failing for Acme Corp since Monday", "Acme Corp"),
        ("Slow reports for Umbrella Corp, Initech and Hooli", "Umbrella Corp"),
        ("Escalation from Café Müller & Co: exports fail", "Café Müller & Co"),
        ("all Enterprise customers are affected", None),
        ("exports fail for all of our users", None),
        ("", None),
    ],
)
def test_guess_customer(text, customer):
    assert guess_customer(text) == customer


@pytest.mark.parametrize(
    "text",
    ["API down for Acme Corp. They are furious.", "Ticket from Acme Corp. CEO is angry"],
)
def test_guess_customer_stops_at_the_end_of_a_sentence(text):
    assert guess_customer(text) == "Acme Corp"


def test_guess_customer_is_capped():
    name = "Averyveryverylongcompanyname " + "X" * 300
    found = guess_customer(f"for {name}")
    assert found is not None
    assert len(found) <= CUSTOMER_MAX


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        ("API down. Customer angry.", "API down."),
        ("Is the API down? Customer angry.", "Is the API down?"),
        ("  spaces\n\nand   newlines  collapse ", "spaces and newlines collapse"),
        ("", ""),
    ],
)
def test_first_sentence(text, summary):
    assert first_sentence(text) == summary


def test_first_sentence_cuts_a_long_sentence_at_a_word_with_an_ellipsis():
    text = "word " * 100
    summary = first_sentence(text)
    assert len(summary) <= SUMMARY_MAX
    assert summary.endswith("word…")


# ---------------------------------------------------------------------------------------------------------
# validate_intake
# ---------------------------------------------------------------------------------------------------------

VALID = IntakeForm(
    customer="  Acme   Corp ",
    summary="SSO login loop",
    escalation_type="technical",
    severity="SEV-2",
    tier="enterprise",
    arr="$180k",
    users_affected="1,200",
    description="  All users bounce back to the login page  ",
    tried=" cleared cookies ",
    flags=("public_exposure", "regulatory"),
    responder_user_ids=("U1", "U2", "U1", "U3", "U2"),
)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"arr": "abc"}, "arr"),
        ({"arr": "-5"}, "arr"),
        ({"customer": ""}, "customer"),
        ({"customer": "   \n "}, "customer"),
        ({"customer": "x" * (CUSTOMER_MAX + 1)}, "customer"),
        ({"users_affected": "lots"}, "users_affected"),
        ({"users_affected": "1.5"}, "users_affected"),
        ({"summary": "  "}, "summary"),
        ({"escalation_type": None}, "escalation_type"),
    ],
)
def test_validate_intake_reports_the_bad_field_and_returns_no_intake(changes, field):
    form = IntakeForm(**{**VALID.__dict__, **changes})
    intake, errors = validate_intake(form, "U0CALLER")
    assert intake is None
    assert set(errors) == {field}
    assert errors[field].strip()


def test_validate_intake_reports_every_bad_field_at_once():
    form = IntakeForm(customer="", summary="", escalation_type="technical", arr="abc", users_affected="lots")
    intake, errors = validate_intake(form, "U0CALLER")
    assert intake is None
    assert set(errors) == {"customer", "summary", "arr", "users_affected"}


def test_validate_intake_gives_a_clean_intake():
    intake, errors = validate_intake(VALID, "U0CALLER")
    assert errors == {}
    assert intake is not None
    assert intake.customer == "Acme Corp"
    assert intake.summary == "SSO login loop"
    assert intake.arr == 180_000
    assert intake.users_affected == 1_200
    assert intake.severity == "SEV-2"
    assert intake.tier == "enterprise"
    assert intake.description == "All users bounce back to the login page"
    assert intake.tried == "cleared cookies"
    assert intake.public_exposure is True
    assert intake.regulatory is True
    assert intake.ic_user_id == "U0CALLER"  # nobody picked: the caller commands
    assert intake.responder_user_ids == ("U1", "U2", "U3")  # de-duplicated, order kept


def test_validate_intake_keeps_a_chosen_ic_and_leaves_blank_numbers_unknown():
    form = IntakeForm(
        customer="Globex", summary="Exports fail", escalation_type="billing", ic_user_id="U0IC", flags=()
    )
    intake, errors = validate_intake(form, "U0CALLER")
    assert errors == {}
    assert intake is not None
    assert intake.ic_user_id == "U0IC"
    assert (intake.arr, intake.users_affected) == (None, None)
    assert (intake.public_exposure, intake.regulatory) == (False, False)
    assert intake.responder_user_ids == ()
