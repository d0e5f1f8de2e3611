"""The draft lint: each seed quality rule flags what it should and lets good wording through."""

import pytest

from bot.drafting.lint import (
    Finding,
    format_findings,
    lint_draft,
    passive_constructions,
    split_social,
    word_count,
)
from bot.drafting.lint_rules import KINDS, RULES

CUSTOMER = "Acme Corp"
CONTACT = "David Okafor"
GOOD = "Hi David,\n\nOur migration corrupted your reports, and I own that. I'll update you by 3:00 PM today."


def rules(text: str, kind: str = "update", **names) -> set[str]:
    names = {"customer": CUSTOMER, "contact_name": CONTACT} | names
    return {finding.rule for finding in lint_draft(kind, text, **names)}


def words(count: int) -> str:
    return " ".join(["word"] * count)


def test_a_good_draft_has_no_findings():
    assert lint_draft("update", GOOD, customer=CUSTOMER, contact_name=CONTACT) == []


SEED_000_EXAMPLE = """David,

What happened to your data is unacceptable, and the eight conversations you've had without resolution make \
it worse. I'm not going to ask you to explain this again — I've read the full history, and I understand \
what's at stake.

I'm [Name], and I'm personally taking ownership of this case starting now. Here is what I am committing to:

By end of business today: A technical lead will contact you directly with a concrete assessment of whether \
your 6 months of historical reports can be recovered and by when.

By Friday: You will have either restored data or a written remediation plan — not a ticket update, a real \
plan with dates.

I would also like to schedule 30 minutes with you this week to discuss what this disruption has cost your \
team and how we make it right beyond the technical fix.

You've been a partner with us for four years. That matters, and I intend to show you it does.

[Name] | [Title] | Direct: [number]"""


def test_the_seed_000_example_response_passes():
    assert lint_draft("response", SEED_000_EXAMPLE, customer=None, contact_name=CONTACT) == []


def test_expressed_triggers_nothing():
    text = "Hi David, you expressed real frustration, and you were right to. I'll update you by 3 PM today."
    assert lint_draft("update", text, customer=CUSTOMER, contact_name=CONTACT) == []


# ---------------------------------------------------------------------------------------------------------
# One table per rule: (text, flagged?)
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Hi David,\n\nI apologize for any inconvenience this has caused.", True),
        ("David, sorry for any inconvenience.", True),
        ("Dear David,\nWe apologize for the inconvenience. We are on it.", True),
        ("Hi David, thank you for your patience while we look into this.", True),
        ("Subject: Update\nHello David,\n\nThanks for your patience. Here is the news.", True),
        ("David,\n\nWhat happened is not acceptable. We regret any inconvenience.", True),  # anywhere
        ("Hi David,\n\nWhat happened is not acceptable. Thank you for your patience throughout this.", False),
        ("Hi David, I'm sorry: losing six months of reports is not acceptable.", False),
        ("David, your patience ran out weeks ago, and I understand why.", False),
    ],
)
def test_dismissive_opening(text, flagged):
    assert ("dismissive-opening" in rules(text)) is flagged


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("We'll have this fixed by Friday.", True),
        ("The issue will be resolved by end of day.", True),
        ("It will be fixed within 2 hours.", True),
        ("We expect it resolved within 24 hours.", True),
        ("I will fix it by tomorrow.", True),
        ("Service will be restored by 5pm.", True),
        ("We're going to have you back online by tonight.", True),
        ("I guarantee this won't happen again.", True),
        ("We are 100% sure the fix works.", True),
        ("Next update by 3pm.", False),
        ("I'll update you by [next update time].", False),
        ("I'll send the next update by end of business today.", False),
        ("I can't guarantee a fix time, so I'll update you within the next 2 hours.", False),
        ("We fixed the export yesterday and confirmed it with your team.", False),
        ("Our database team resolved the first part on Monday.", False),
        ("About 100 users saw the error.", False),
    ],
)
def test_promised_resolution_time(text, flagged):
    assert ("promised-resolution-time" in rules(text)) is flagged


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("You should have backed up the data first.", True),
        ("This was user error.", True),
        ("As we already told you, the export has limits.", True),
        ("Per our policy, we cannot restore it.", True),
        ("That's not our system.", True),
        ("That’s not our system.", True),  # curly apostrophe
        ("The other team owns the migration.", True),
        ("Unfortunately you missed the window.", True),
        ("You need to understand how migrations work.", True),
        ("We did nothing wrong here.", True),
        ("You failed to configure SSO.", True),
        ("We should have caught this in testing. That's on us.", False),
        ("Your team flagged it first, and we missed it.", False),
        ("Our other teams are helping too.", False),
    ],
)
def test_blame_or_defensive(text, flagged):
    assert ("blame-or-defensive" in rules(text)) is flagged


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Let's touch base tomorrow.", True),
        ("We will leverage our best-in-class tools.", True),
        ("I wanted to reach out personally.", True),
        ("Going forward, we'll add tests.", True),
        ("We value your business.", True),
        ("Per my last email, the fix is live.", True),
        ("We'll circle back on this.", True),
        ("We'll add tests so this can't happen again.", False),
        ("I'm writing to you personally.", False),
        ("Pull the lever on the dashboard.", False),
        ("Please forward the logs to me.", False),
    ],
)
def test_corporate_jargon(text, flagged):
    assert ("corporate-jargon" in rules(text)) is flagged


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Mistakes were made.", True),  # evasive, always
        ("The issue was caused.", True),
        ("Your reports were corrupted during the migration.", True),
        ("Some data was lost. We are sorry.", True),
        ("Your ticket has been escalated. Engineers were paged. We are looking at it.", True),  # 2 of 3
        ("The account was reviewed. The logs were checked. The team was notified. We called you.", True),
        ("Our migration corrupted your reports. We own that.", False),
        (
            "The issue was caused by our migration script. We rolled it back. We restored your data. "
            "We called your team. We'll keep going.",
            False,
        ),  # one passive in five, with its agent
        ("Your data was not lost.", False),  # good news, not evasion
        ("I'm frustrated too, and we're committed to this.", False),  # adjectives, not passives
        ("Our team is open to a call. It is indeed serious.", False),
        ("One request was handled. We fixed two more. We called you. We wrote the report.", False),  # 1 in 4
    ],
)
def test_passive_voice(text, flagged):
    assert ("passive-voice" in rules(text)) is flagged


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        ("Your ticket has been escalated.", [("been escalated", False)]),
        ("Mistakes were made.", [("were made", True)]),
        ("The reports were quickly corrupted by the job.", [("were quickly corrupted", False)]),
        ("The export isn't broken.", [("isn't broken", False)]),
        ("We are working on it.", []),
        ("I'm pleased and we're committed.", []),
    ],
)
def test_passive_heuristic(sentence, found):
    assert passive_constructions(sentence) == found


@pytest.mark.parametrize(
    ("text", "names", "flagged"),
    [
        ("Hi there, next update by 3pm.", {}, True),
        ("Hi Davidson, next update by 3pm.", {}, True),  # whole words only
        ("Hi David, next update by 3pm.", {}, False),
        ("Hi Acme Corp team, next update by 3pm.", {}, False),
        ("Dear Mr. Okafor, next update by 3pm.", {}, False),
        ("hi DAVID, next update by 3pm.", {}, False),
        ("Hi there, next update by 3pm.", {"customer": None, "contact_name": None}, False),  # nothing known
    ],
)
def test_missing_customer_name(text, names, flagged):
    assert ("missing-customer-name" in rules(text, **names)) is flagged


def test_internal_kinds_need_no_customer_name():
    assert "missing-customer-name" not in rules("Root cause is in the export paging.", "brief")


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("David, we're looking into it.", True),
        ("David, I'll update you soon.", True),
        ("David, we'll keep you posted.", True),
        ("David, next update: when we know more.", True),
        ("David, next update by 3:00 PM UTC.", False),
        ("David, I'll update you by [next update time].", False),
        ("David, you'll hear from me by end of business today.", False),
        ("David, I'll call you within the next 2 hours.", False),
        ("David, next update by Friday.", False),
        ("David, I'll send an update at 15:30 UTC.", False),
        ("David, I'll follow up tomorrow morning.", False),
    ],
)
def test_no_next_update(text, flagged):
    assert ("no-next-update" in rules(text)) is flagged


def test_next_update_for_social_is_owed_by_the_dm_only():
    public = "David, I'm sorry, and I'm on it. I've sent you a DM."
    assert "no-next-update" not in rules(public, "social")
    no_time = f"{public}\n\n*Private DM follow-up*\nHi David, here is the plan."
    assert "no-next-update" in rules(no_time, "social")
    with_time = f"{public}\n\n*Private DM follow-up*\nHi David, I'll update you by 3:00 PM UTC."
    assert "no-next-update" not in rules(with_time, "social")


def test_internal_kinds_need_no_next_update():
    assert "no-next-update" not in rules("Root cause is in the export paging.", "summary")


# ---------------------------------------------------------------------------------------------------------
# Length, at the exact boundaries
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "count", "flagged"),
    [
        ("response", 149, True),
        ("response", 150, False),
        ("response", 300, False),
        ("response", 301, True),
        ("ack", 180, False),
        ("ack", 181, True),
        ("update", 250, False),
        ("update", 251, True),
        ("resolution", 251, True),
        ("apology", 251, True),
        ("brief", 500, False),
        ("brief", 501, True),
        ("summary", 401, True),
        ("social", 60, False),
        ("social", 61, True),
    ],
)
def test_length_boundaries(kind, count, flagged):
    assert ("length" in rules(words(count), kind)) is flagged


@pytest.mark.parametrize(("count", "flagged"), [(149, True), (150, False), (250, False), (251, True)])
def test_coaching_length_boundaries(count, flagged):
    """Seed 000: coaching notes 150-250 words."""
    findings = lint_draft(
        "response", words(200), customer=CUSTOMER, contact_name=CONTACT, coaching=words(count)
    )
    assert any(finding.rule == "length" for finding in findings) is flagged


def test_social_length_counts_the_public_reply_only():
    text = f"*Public reply*\n{words(60)}\n\n*Private DM follow-up*\n{words(150)}"
    assert "length" not in rules(text, "social")
    assert split_social(text) == (words(60), words(150))


def test_word_count_ignores_bullets_and_dashes():
    assert word_count("• [your name] — hi\n- ok") == 4


# ---------------------------------------------------------------------------------------------------------
# The shape of the answer
# ---------------------------------------------------------------------------------------------------------


def test_findings_carry_the_words_written_and_come_in_rules_order():
    text = "Hi there,\n\nGoing forward, we'll have this fixed by Friday."
    findings = lint_draft("update", text, customer=CUSTOMER, contact_name=CONTACT)
    assert [finding.rule for finding in findings] == [
        "promised-resolution-time",
        "corporate-jargon",
        "missing-customer-name",
        "no-next-update",
    ]
    assert findings[0].excerpt == "we'll have this fixed by Friday"
    assert findings[1].excerpt == "Going forward"
    assert all(finding.rule in RULES for finding in findings)


def test_format_findings():
    findings = [Finding("corporate-jargon", "Jargon", "touch base"), Finding("no-next-update", "No time")]
    assert format_findings(findings) == "• Jargon (“touch base”)\n• No time"
    assert format_findings([]) == ""


def test_every_kind_is_known_and_others_are_refused():
    for kind in KINDS:
        lint_draft(kind, GOOD, customer=CUSTOMER, contact_name=CONTACT)
    with pytest.raises(ValueError, match="unknown draft kind"):
        lint_draft("tweet", GOOD, customer=CUSTOMER, contact_name=CONTACT)
