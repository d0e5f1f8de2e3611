# ruff: noqa: E501 — the expected drafts are kept as a customer reads them, one paragraph per line.
"""One draft of each kind read in full (issue 12): what the customer (or the other team) gets for one
realistic situation, so a reader sees the words and a change to them is a deliberate one.

Brookvale Unified's gradebook sync deletes grades during exam week: SEV-1, the cause identified, Dr. Amara
Nwosu angry and in Berlin, the incident commander in New York, the next customer update due in 52 minutes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.drafting.checks import lint_of
from bot.drafting.grounding import build_context
from bot.drafting.templates import render_template
from bot.escalations.read_model import TimelineEntry
from bot.policy.model import default_policy
from tests.factories import make_snapshot

NOW = datetime(2026, 12, 4, 15, 10, tzinfo=UTC)  # a Friday, 16:10 in Berlin
OPENED = NOW - timedelta(hours=3)
ESC = make_snapshot(
    public_id="ESC-2026-042",
    customer="Brookvale Unified",
    contact_name="Dr. Amara Nwosu",
    contact_email="amara.nwosu@brookvale.example",
    contact_timezone="Europe/Berlin",
    severity="SEV-1",
    severity_label="Critical",
    status="identified",
    escalation_type="technical",
    tier="business",
    arr_at_risk=95_000,
    users_affected=1_400,
    title="Brookvale Unified: gradebook sync deleting grades in 14 schools during exam week",
    customer_wording="grades disappearing from the gradebook in 14 of your schools",
    customer_mood="angry",
    started="since Monday 09:40",
    description="Teachers in 14 schools see grades vanish after each nightly sync. Exams run until Friday. They have contacted us 3 times.",
    tried="Paused the nightly sync for two schools; grades stayed\nRe-ran the sync on a copy: the same rows vanished",
    created_at=OPENED,
    caller_user_id="U0BEN",
    ic_user_id="U0ANA",
    customer_update_due_at=NOW + timedelta(minutes=52),
)
TIMELINE = (
    TimelineEntry(OPENED, "created", "ESC-2026-042 opened as SEV-1", "U0BEN"),
    TimelineEntry(OPENED + timedelta(minutes=9), "acknowledged", "First response by Ana Lima", "U0ANA"),
    TimelineEntry(
        OPENED + timedelta(minutes=40),
        "internal_update",
        "Sync job deletes rows when a class has no term dates; reproduced on a copy",
        "U0ANA",
    ),
    TimelineEntry(
        OPENED + timedelta(minutes=70),
        "status_changed",
        "Investigating → Identified",
        "U0ANA",
        {"from": "investigating", "to": "identified"},
    ),
    TimelineEntry(
        OPENED + timedelta(minutes=90),
        "customer_update",
        "Sent the customer update: cause found",
        "U0ANA",
        {"channel": "email"},
    ),
)


def context(kind_target="engineering"):
    return build_context(
        ESC,
        TIMELINE,
        ["Ben Ortiz: Dr. Nwosu called again, exams start at 8 tomorrow"],
        default_policy(),
        NOW,
        ic_name="Ana Lima",
        ic_zone="America/New_York",
        reported_by_name="Ben Ortiz",
        company_name="Acme Cloud",
        brief_target=kind_target,
    )


EXPECTED: dict[str, str] = {}

EXPECTED["ack"] = """\
Subject: [URGENT] We're on it: Grades disappearing from the gradebook in 14 of your…

Hi Dr. Nwosu,

I'm [your name], [your role], and I'm personally handling this escalation for Brookvale Unified.

What you're dealing with (grades disappearing from the gradebook in 14 of your schools) is not acceptable, and I know what it costs your team. You're right to be angry about this, and I'm not going to pretend otherwise. You've contacted us 3 times about this, and you shouldn't have had to. I've read the full history, so you won't need to explain any of it again.

Here's where we are:
- We've brought in our engineering team.
- Our engineering team has found the cause and is working on the fix now.
- I'll update you by 6:00 PM Berlin time today, and every 2 hours after that.

You have one contact for this: me, at [email] or [direct line]. If it helps to talk it through, I can set up a call with our team today. I'll stay on this until you tell me it works again for your team.

[your name]"""

EXPECTED["update"] = """\
Subject: Update: Grades disappearing from the gradebook in… (we've found the cause)

Hi Dr. Nwosu,

Here's where things stand on grades disappearing from the gradebook in 14 of your schools. You're right to be angry about this, and I'm not going to pretend otherwise.

Current status: Identified. Our engineering team has found the cause and is working on the fix now.

What we've done:
- Brought in our engineering team.
- Found the cause of the problem.

Next steps:
- Finish and test the fix, and offer you a workaround in the meantime if we find one.
- I can't give you a reliable fix time yet, and I won't guess; I'll tell you as soon as we have one.

Next update: by 6:00 PM Berlin time today, and every 2 hours after that.

Questions? Call me directly at [direct line].

[your name]"""

EXPECTED["resolution"] = """\
Subject: Fixed: Grades disappearing from the gradebook in 14 of your schools

[Send once the fix is confirmed; the record still says Identified.]

Hi Dr. Nwosu,

I'm glad to tell you that we've fixed the problem you reported (grades disappearing from the gradebook in 14 of your schools).

What happened: [brief explanation of the cause]
What we did: [what fixed it]
Preventing recurrence: [what we are changing so this does not happen again]

I know this disrupted your team, and that it took you 3 contacts to get here. I'm truly sorry, and I'd like to talk about how we make this right. Would you have 15 minutes this week?

I'll check in with you by 6:00 PM Berlin time today to confirm everything works on your side. Until you confirm it, I'm keeping this open.

Thank you for working through this with us.

[your name]"""

EXPECTED["apology"] = """\
Subject: A personal apology from [executive name]

Dear Dr. Nwosu,

I'm [executive name], [title] at Acme Cloud, and I'm writing to you personally about what happened (grades disappearing from the gradebook in 14 of your schools).

First, I'm sorry. This is not acceptable, and I take full responsibility. Your team also had to contact us 3 times, which made it worse.

I've reviewed the situation with our team, and here's what we're doing:
1. Our engineering team has found the cause and is working on the fix now.
2. [process change]
3. [prevention measure]

You'll hear from us by 6:00 PM Berlin time today with the next update, and I'd welcome the chance to talk with you directly. Would you be open to a call this week?

I intend to earn back your trust.

Sincerely,
[executive name]
[direct contact info]"""

EXPECTED["response"] = """\
Subject: Dr. Nwosu, I'm taking personal ownership of this

Dr. Nwosu,

What you're dealing with (grades disappearing from the gradebook in 14 of your schools) is not acceptable, and I know what it costs your team. You're right to be angry about this, and I'm not going to pretend otherwise. And the 3 conversations you've had without a fix make it worse. I'm not going to ask you to explain this again: I've read the full history, and I understand what's at stake for Brookvale Unified.

I'm [your name], and I'm personally taking ownership of this case starting now. Here is what I'm committing to:

By 6:00 PM Berlin time today: I'll send you an update on what we've found, what we're doing next, and who is doing it. Our engineering team has found the cause and is working on the fix now.

Until we fix this, you'll hear from me every 2 hours. I can't give you a reliable fix time yet, and I won't guess; I'll tell you as soon as we have one.

I'd also like 30 minutes with you this week to talk through what this has cost your team and how we make it right beyond the technical fix.

Brookvale Unified matters to us, and I intend to show you that.

[your name] | [your role] | Direct: [direct line]

--- coaching
Dr. Nwosu is angry. What they want beyond the fix: acknowledgment first, then speed, meaning one owner and a time to hold you to.

The subject line uses Dr. Nwosu's name and signals ownership; it breaks the pattern of generic support emails. The opening names the impact and the 3 contacts without a fix, not only the original issue, which shows you read the history. “I'm not going to ask you to explain this again” removes the top frustration of escalated customers.

The commitment is an update time (6:00 PM Berlin time today), not a fix time: never promise a resolution you can't guarantee. Fill in your name and a real direct line before you send it.

The meeting offer moves the conversation from the ticket to what the disruption cost them.

Landmines: a stock apology as the opening, arguing about blame or contract terms, passive voice (“mistakes were made”), and offers nobody has approved.

Recovery: Option B: a severe impact (SEV-1; Business tier, $95,000 a year at risk, 3 contacts without a fix), and the recovery playbook scales gestures to impact. Get approval before you offer anything with a cost."""

EXPECTED["phone"] = """\
Call guide: Brookvale Unified, Dr. Nwosu (ESC-2026-042)

Before you dial
- Have the full history open: Dr. Nwosu should not have to repeat anything (they've contacted us 3 times).
- Know your next commitment: an update by 6:00 PM Berlin time today.
- Goal: they feel heard, they know who owns this, and they know when they'll hear from you next.

Opening
“Dr. Nwosu, this is [your name] from Acme Cloud. I'm calling because I'm personally taking ownership of this issue (grades disappearing from the gradebook in 14 of your schools).”
(pause — let them respond)

Acknowledge
“What you're dealing with (grades disappearing from the gradebook in 14 of your schools) is not acceptable, and I know what it costs your team. You're right to be angry about this, and I'm not going to pretend otherwise. You've contacted us 3 times about this, and you shouldn't have had to. I've read the full history, so you won't need to explain any of it again.”
(pause — let them respond)

If they interrupt
- Stop talking and let them finish.
- Then: “You're right to be upset. What matters most now?”

Ownership and next step
“Here's what happens next. Our engineering team has found the cause and is working on the fix now. I can't give you a reliable fix time yet, and I won't guess; I'll tell you as soon as we have one. I'll call you back by 6:00 PM Berlin time today with what we've found.”
(pause — let them respond)

Close
- Repeat the next update time back to them: 6:00 PM Berlin time today.
- Give them your direct line: [direct line].
- “Thank you for talking this through with me, Dr. Nwosu.”"""

EXPECTED["social"] = """\
*Public reply* (keep account details out of it)
Dr. Nwosu, I'm sorry. This isn't the experience you deserve from us, and I'm looking into it personally. I've sent you a DM so we can sort out the details privately. [your name], Acme Cloud

*Private DM follow-up*
Hi Dr. Nwosu, [your name] here from Acme Cloud. Thanks for raising this. I've read the full history of this issue (grades disappearing from the gradebook in 14 of your schools), so you won't need to repeat anything.

Our engineering team has found the cause and is working on the fix now.

I'll send you an update by 6:00 PM Berlin time today. If a call is easier, send me a good number and time, or call me at [direct line]."""

EXPECTED["brief"] = """\
Subject: ESCALATION: Brookvale Unified: gradebook sync deleting grades in 14 schools…

*ESCALATION: Brookvale Unified: gradebook sync deleting grades in 14 schools during exam week*
Severity: Critical (SEV-1)
Target team: Engineering
Reported by: Ben Ortiz (Slack), for Dr. Amara Nwosu at Brookvale Unified (ESC-2026-042)
Date: 2026-12-04

*Impact*
• Customers affected: Brookvale Unified, Business tier; 1,400 users
• Workflow impact: Brookvale Unified: gradebook sync deleting grades in 14 schools during exam week
• Revenue at risk: $95,000 ARR
• Time in queue: 4 d 5 h (since Mon 09:40 UTC); 3 contacts with support

*Issue description*
Teachers in 14 schools see grades vanish after each nightly sync. Exams run until Friday. They have contacted us 3 times.

*What's been tried*
• Paused the nightly sync for two schools; grades stayed
• Re-ran the sync on a copy: the same rows vanished

*Reproduction steps*
• [step]
• [step]
• [step]
Expected: [expected behaviour]
Actual: Brookvale Unified: gradebook sync deleting grades in 14 schools during exam week
Environment: [browser, plan, account, feature flags]

*Customer communication*
• Last update to customer: 13:40 UTC (email): Sent the customer update: cause found
• Customer expectation: next update by 5:02 PM Berlin time today
• Escalation risk: [will they escalate further, and when?]

*What's needed*
• Investigate the root cause and give us a fix plan we can share with the customer
• Deadline: before 5:02 PM Berlin time today, when we owe Brookvale Unified the next update

*Supporting context*
• 12:10 UTC: ESC-2026-042 opened as SEV-1
• 12:19 UTC: First response by Ana Lima
• 12:50 UTC: Internal update: Sync job deletes rows when a class has no term dates; reproduced on a copy
• 13:20 UTC: Status: Investigating → Identified
• 13:40 UTC: Customer update (email): Sent the customer update: cause found
• Room: “Ben Ortiz: Dr. Nwosu called again, exams start at 8 tomorrow”"""

EXPECTED["summary"] = """\
*Catching up on ESC-2026-042: Brookvale Unified*

*What happened:* Brookvale Unified: gradebook sync deleting grades in 14 schools during exam week. Teachers in 14 schools see grades vanish after each nightly sync. Exams run until Friday. They have contacted us 3 times.

*Current status:* SEV-1 (Critical), Identified. Incident commander: Ana Lima. Raised by Ben Ortiz. The customer has been waiting 4 d 5 h (since Mon 09:40 UTC).

*What's been done*
• 12:10 UTC: ESC-2026-042 opened as SEV-1
• 12:19 UTC: First response by Ana Lima
• 12:50 UTC: Internal update: Sync job deletes rows when a class has no term dates; reproduced on a copy
• 13:20 UTC: Status: Investigating → Identified
• 13:40 UTC: Customer update (email): Sent the customer update: cause found

*What's next:* next customer update due 5:02 PM Berlin time today, and every 2 hours after that. Then: ship and test the fix, and offer a workaround meanwhile.

*Latest in the room*
• “Ben Ortiz: Dr. Nwosu called again, exams start at 8 tomorrow”"""


def _read(kind: str) -> str:
    draft = render_template(kind, context())
    subject = f"Subject: {draft.subject}\n\n" if draft.subject else ""
    coaching = f"\n\n--- coaching\n{draft.coaching}" if draft.coaching else ""
    return subject + draft.body + coaching


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_the_draft_reads_as_expected(kind: str) -> None:
    assert _read(kind) == EXPECTED[kind]


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_the_draft_passes_every_check(kind: str) -> None:
    ctx = context()
    assert lint_of(render_template(kind, ctx), ctx) == []
