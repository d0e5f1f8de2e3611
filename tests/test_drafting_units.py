"""The drafting pieces: what a mention asks for, the facts a draft may use (only the record's) and the
template restylers. The Claude request is in test_drafting_claude."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.drafting.context import BRIEF_TARGETS
from bot.drafting.draft import Draft
from bot.drafting.grounding import build_context, contacts_so_far, customer_tenure
from bot.drafting.requests import KIND_ALIASES, DraftRequest, parse_mention
from bot.drafting.restyle import RESTYLERS, more_formal, shorter
from bot.escalations.read_model import EscalationSnapshot, TimelineEntry
from bot.policy.model import default_policy
from tests.factories import CREATED, make_snapshot

POLICY = default_policy()
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)

# ---------------------------------------------------------------------------------------------------------
# parse_mention
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("alias", "kind"), sorted(KIND_ALIASES.items()))
@pytest.mark.parametrize(
    "template", ["<@U0WARROOM> draft {}", "<@U0WARROOM> {}", "<@U0WARROOM|warroom> Write the {}!"]
)
def test_every_alias(alias, kind, template):
    assert parse_mention(template.format(alias)) == DraftRequest(kind, "engineering")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U0WARROOM> Draft UPDATE.", DraftRequest("update")),
        ("<@U0WARROOM> draft an apology", DraftRequest("apology")),
        ("<@U0WARROOM> draft a summary for the new IC", DraftRequest("summary")),
        ("<@U0WARROOM> escalation brief", DraftRequest("brief")),
        ("<@U0WARROOM> catch up", DraftRequest("summary")),
        ("<@U0WARROOM> please apology", DraftRequest("apology")),
        ("<@U0WARROOM> brief", DraftRequest("brief", "engineering")),
        ("<@U0WARROOM> brief security", DraftRequest("brief", "security")),
        ("<@U0WARROOM> brief for the Product team", DraftRequest("brief", "product")),
        ("<@U0WARROOM> draft a brief for leadership, please", DraftRequest("brief", "leadership")),
        ("<@U0WARROOM> escalation brief engineering", DraftRequest("brief", "engineering")),
        ("<@U0WARROOM> brief marketing", DraftRequest("brief", "engineering")),
    ],
)
def test_parse_mention(text, expected):
    assert parse_mention(text) == expected


@pytest.mark.parametrize("target", BRIEF_TARGETS)
def test_every_brief_target(target):
    assert parse_mention(f"<@U0WARROOM> brief {target.upper()}") == DraftRequest("brief", target)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("<@U0WARROOM> please draft an apology", "apology"),
        ("<@U0WARROOM> please write a summary", "summary"),
        ("<@U0WARROOM> please draft update", "update"),
    ],
)
def test_polite_requests(text, kind):
    assert parse_mention(text) == DraftRequest(kind)


@pytest.mark.parametrize(
    "text",
    [
        "<@U0WARROOM>",
        "<@U0WARROOM>   ",
        "<@U0WARROOM> draft",
        "<@U0WARROOM> draft a",
        "<@U0WARROOM> hello",
        "<@U0WARROOM> draft a poem",
        "<@U0WARROOM> what's up?",
        "<@U0WARROOM> !!!",
        "",
    ],
)
def test_unknown_or_bare_mentions_ask_for_nothing(text):
    assert parse_mention(text) is None


# ---------------------------------------------------------------------------------------------------------
# grounding: tenure, contacts, context
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Email from David Okafor, 4-year enterprise customer (pays $180k/year).", "4 years"),
        ("A 1-year customer on the business plan.", "1 year"),
        ("They have been a customer for 1 year.", "1 year"),
        ("Customer for 12 years, our oldest account.", "12 years"),
        ("customer since 3 years, per the CSM", "3 years"),
        ("A 10 year enterprise customer.", "10 years"),
        ("Reports are wrong since the migration.", None),
        ("Customer since 2019.", None),
        ("", None),
    ],
)
def test_customer_tenure(text, expected):
    assert customer_tenure(text) == expected


def test_an_old_thing_is_not_tenure():
    assert customer_tenure("Their 5-year-old export server failed after the migration.") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He's been in touch with our tier-1 team 8 times. He is posting on LinkedIn.", 8),
        ("The customer contacted support 3 times this week.", 3),
        ("She emailed us 12 times", 12),
        ("Called 2 times, no answer.", 2),
        ("In touch with us several times.", None),
        ("We tried 4 times to rebuild.", None),
        ("He was in touch. Then we retried 5 times.", None),  # the count belongs to another sentence
        ("", None),
    ],
)
def test_contacts_so_far(text, expected):
    assert contacts_so_far(text) == expected


def make_esc(**changes: object) -> EscalationSnapshot:
    defaults: dict[str, object] = {
        "tier": "enterprise",
        "arr_at_risk": 180_000,
        "users_affected": 1_200,
        "description": "4-year enterprise customer. Migration corrupted 6 months of reports.",
        "tried": "He's been in touch with our tier-1 team 8 times.",
        "public_exposure": True,
        "customer_update_due_at": CREATED + timedelta(hours=2),
    }
    return make_snapshot(**(defaults | changes))


def test_build_context_takes_the_facts_from_the_record():
    timeline = (TimelineEntry(CREATED, "created", "ESC-2026-007 opened", "U0CALLER"),)
    esc = make_esc()
    ctx = build_context(esc, timeline, ["Restore test looks clean", "  ", "x" * 1_000], POLICY, NOW)
    assert ctx.escalation is esc  # the record's facts are the read model itself, not copies
    facts = ctx.escalation
    assert (facts.public_id, facts.customer, facts.severity, facts.severity_label, facts.status) == (
        "ESC-2026-007",
        "Okafor Analytics",
        "SEV-1",
        "Critical",
        "investigating",
    )
    assert (facts.tier, facts.arr_at_risk, facts.users_affected, facts.public_exposure, facts.regulatory) == (
        "enterprise",
        180_000,
        1_200,
        True,
        False,
    )
    assert ctx.customer_tenure == "4 years"
    assert ctx.contacts_so_far == 8
    assert ctx.customer_update_cadence == "every 2 hours"
    assert ctx.timeline == timeline
    assert ctx.recent_messages == ("Restore test looks clean", "x" * 400)
    assert ctx.now == NOW
    assert ctx.brief_target == "engineering"


def test_build_context_leaves_unknowns_unknown():
    esc = make_esc(
        contact_name=None,
        tier=None,
        arr_at_risk=None,
        users_affected=None,
        description="Exports are missing rows.",
        tried="",
        customer_update_due_at=None,
    )
    ctx = build_context(esc, [], [], POLICY, NOW)
    facts = ctx.escalation
    assert facts.contact_name is None
    assert ctx.salutation_name is None
    assert ctx.addressee == "Okafor Analytics team"
    assert (facts.tier, facts.arr_at_risk, facts.users_affected) == (None, None, None)
    assert (ctx.customer_tenure, ctx.contacts_so_far) == (None, None)
    assert (ctx.ic_name, ctx.company_name) == (None, None)
    assert ctx.company == "[company]"
    assert ctx.next_customer_update_at == NOW + timedelta(hours=2)  # SEV-1's cadence, from now
    assert ctx.next_update == "5:00 PM UTC today"
    assert ctx.recent_messages == ()


@pytest.mark.parametrize(
    ("severity", "promised", "due", "shown", "late"),
    [
        # SEV-1 (every 2 hours): the update drafted at 15:00 is the one due; the next is promised for 17:00.
        ("SEV-1", None, CREATED + timedelta(hours=2), "5:00 PM UTC today", False),
        ("SEV-1", NOW + timedelta(minutes=30), CREATED + timedelta(hours=2), "5:00 PM UTC today", False),
        # The update was due at 14:05 (or promised for 14:30): late, and the next time is a new one.
        ("SEV-1", None, NOW - timedelta(minutes=55), "5:00 PM UTC today", True),
        ("SEV-1", NOW - timedelta(minutes=30), None, "5:00 PM UTC today", True),
        # SEV-3 is daily in business days: Monday 15:00 gives Tuesday 15:00.
        ("SEV-3", None, NOW + timedelta(hours=20), "3:00 PM UTC tomorrow", False),
    ],
)
def test_the_next_update_promised_is_a_cadence_from_now(severity, promised, due, shown, late):
    esc = make_esc(severity=severity, customer_update_promised_at=promised, customer_update_due_at=due)
    ctx = build_context(esc, [], [], POLICY, NOW)
    assert ctx.next_update == shown
    assert ctx.promise is not None and ctx.promise.late is late
    assert ctx.update_owed_at == (promised or due)


@pytest.mark.parametrize(
    ("severity", "cadence"),
    [
        ("SEV-1", "every 2 hours"),
        ("SEV-2", "every 4 hours"),
        ("SEV-3", "every business day"),
        ("SEV-4", None),
    ],
)
def test_cadence_per_severity(severity, cadence):
    assert build_context(make_esc(severity=severity), [], [], POLICY, NOW).customer_update_cadence == cadence


def test_build_context_passes_names_and_target_through():
    ctx = build_context(
        make_esc(contact_name="David Okafor"),
        [],
        [],
        POLICY,
        NOW,
        ic_name="Maya Chen",
        company_name="Acme Cloud",
        brief_target="security",
    )
    assert (
        ctx.escalation.contact_name,
        ctx.salutation_name,
        ctx.ic_name,
        ctx.company_name,
        ctx.brief_target,
    ) == (
        "David Okafor",
        "David",
        "Maya Chen",
        "Acme Cloud",
        "security",
    )


# ---------------------------------------------------------------------------------------------------------
# restyle
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Hi David,\n\nWe're on it.", "Dear David,\n\nWe are on it."),
        ("Hello team,\n\nI'm sorry; it's on us.", "Dear team,\n\nI am sorry; it is on us."),
        ("Hey David,\n\nDon't worry, we'll call.", "Dear David,\n\nDo not worry, we will call."),
        ("We’re checking. It’s slow.", "We are checking. It is slow."),
        ("Can't say. can't say. Won't guess.", "Cannot say. cannot say. Will not guess."),
        ("I'll, I've, I'd, you're, that's, let's", "I will, I have, I would, you are, that is, let us"),
        ("We said hi David earlier.", "We said hi David earlier."),
        ("Dear David,\n\nNothing to change.", "Dear David,\n\nNothing to change."),
    ],
)
def test_more_formal(body, expected):
    draft = Draft("update", "Your reports", body, coaching="Keep it warm", options=("A",), recommendation="A")
    formal = more_formal(draft)
    assert formal.body == expected
    assert formal == replace(draft, body=expected)  # nothing else changes


UPDATE_BODY = (
    "Hi David,\n\n"
    "Here's where things stand on the issue you raised: 6 months of historical reports corrupted.\n\n"
    "Current status: Investigating. Our engineering team is working to find the root cause right now.\n\n"
    "What we've done:\n- Re-ran the report rebuild, with the same gaps\n\n"
    "Next steps:\n- Narrow down the cause, and look for a workaround so your team can keep going.\n\n"
    "Next update: by [next update time].\n\n"
    "Questions? Call me directly at [direct line].\n\n"
    "[your name]"
)


def test_shorter_keeps_greeting_commitments_and_signature():
    draft = Draft("update", "Subject", UPDATE_BODY, coaching="C", options=("A", "B"), recommendation="A")
    short = shorter(draft)
    assert short.body.split("\n\n") == [
        "Hi David,",
        "Here's where things stand on the issue you raised: 6 months of historical reports corrupted.",
        "Next update: by [next update time].",
        "Questions? Call me directly at [direct line].",
        "[your name]",
    ]
    assert short == replace(draft, body=short.body)
    assert len(short.body) < len(draft.body)


@pytest.mark.parametrize(
    "body",
    [
        "Hi David,\n\nWe restored everything.\n\n[your name]",
        "Hi David,\n\nOne paragraph only.",
        "Single line",
        "Hi David,\n\n\n\nWe restored everything.\n\n   \n\n[your name]",  # blank paragraphs do not count
    ],
)
def test_shorter_leaves_short_drafts_alone(body):
    draft = Draft("ack", None, body)
    assert shorter(draft) is draft


def test_restylers_by_name():
    assert RESTYLERS["formal"] is more_formal
    assert RESTYLERS["shorter"] is shorter


@pytest.mark.parametrize(
    ("contact", "greeted"),
    [
        ("David Okafor", "David"),
        ("Dr. Amara Nwosu", "Dr. Nwosu"),
        ("dr Amara Nwosu", "Dr. Nwosu"),
        ("Maria de la Cruz", "Maria"),
        ("Mrs Maria de la Cruz", "Mrs. de la Cruz"),
        ("Professor Lee Chang", "Professor Chang"),
        ("Ms. Jane van Dijk", "Ms. van Dijk"),
        ("Sir John Hale", "Sir John"),
        ("Mme Camille Laurent", "Mme Laurent"),
        ("Herr Jonas Berg", "Herr Berg"),
        ("Amara", "Amara"),
        ("Dr.", None),
    ],
)
def test_salutations_keep_a_title_with_the_family_name(contact, greeted):
    ctx = build_context(make_esc(contact_name=contact), [], [], POLICY, NOW)
    assert ctx.salutation_name == greeted
    assert ctx.addressee == (greeted or "Okafor Analytics team")
