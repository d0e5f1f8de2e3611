"""The rules that turn the team's summary into "the problem in the customer's words" (what the intake
prefills, and what a draft says when nobody typed one): (summary, customer typed on the form) → wording.

Most summaries are the prefill's for the labelled triage situations (tests/draft_situations.yaml); the
comment above a case says what the rules used to make of it.
"""

import pytest

from bot.escalations.customer_words import WORDING_WORDS, in_customer_words, read_mood

WORDINGS = [
    # A plain summary, and a plain "Acme says …", keep working as they did.
    ("API returning 500 errors intermittently", None, "API returning 500 errors intermittently"),
    ("Okafor Analytics says their exports are failing", "Okafor Analytics", "your exports are failing"),
    # Was "the gradebook sync has been deleting grades in 14 schools since Monday, right in the": cut
    # at the clause, not at the fifteenth word.
    (
        "Brookvale Unified says the gradebook sync has been deleting grades in 14 schools since Monday, "
        "right in the middle of exam week.",
        "Brookvale Unified",
        "the gradebook sync has been deleting grades in 14 schools since Monday",
    ),
    # Was "Minor, you just mentioned it": a remark about the note, so nothing ("the issue you reported").
    ("Minor, they just mentioned it.", "Quayside Marine", ""),
    ("Just an idea from their team.", "Nettle & Co", ""),
    # Was "Exports over 10,000 rows fail for you": a dangling "for you" at the clause's end goes.
    (
        "Exports over 10,000 rows fail for Maple Lane Realty; splitting the export by month works fine, "
        "it's just tedious.",
        "Maple Lane Realty",
        "Exports over 10,000 rows fail",
    ),
    # Was "Google sign-in has been broken for you' shop staff…": the possessive without an s, and the
    # agentless "has been broken" the lint flags as passive.
    (
        "Google sign-in has been broken for Parkside Cycles' shop staff since yesterday; they've handed out "
        "temporary passwords so everyone can still log in.",
        "Parkside Cycles",
        "Google sign-in has not been working for your shop staff since yesterday",
    ),
    # Was "your team asks how to get your PO number printed on invoices going forward" (jargon).
    (
        "Rookwood Joinery asks how to get their PO number printed on invoices going forward.",
        "Rookwood Joinery",
        "your question about how to get your PO number printed on invoices from now on",
    ),
    (
        "Sable Street Studios asked whether we'd consider a cheaper read-only seat.",
        "Sable Street Studios",
        "your question about whether we'd consider a cheaper read-only seat",
    ),
    (
        "Quillon Analytics asked for invoices to go to ap@quillon.io from now on instead of their old "
        "admin's mailbox, since he left last month.",
        "Quillon Analytics",
        "your request for invoices to go to ap@quillon.io from now on",
    ),
    # Was "Reminder emails' patient portal went out … each one naming someone": "from Acme'" kept as
    # "your", and the phrase ends at its comma.
    (
        "Reminder emails from Carewell Clinics' patient portal went out to the wrong patients overnight, "
        "each one naming someone else's appointment; their…",
        "Carewell Clinics",
        "Reminder emails from your patient portal went out to the wrong patients overnight",
    ),
    # Was "Slack paraphrase from Jo: your online shop…" and "Femi in #support: the app…": who relayed it.
    (
        "Slack paraphrase from Jo: Tidewater Coffee's online shop returns 502 for everyone, homepage and "
        "checkout both, and they're losing the weekend rush.",
        "Tidewater Coffee",
        "your online shop returns 502 for everyone, homepage and checkout both",
    ),
    (
        "Femi in #support: the app is dead for Harbour Line Ferries, blank white screen on web and mobile "
        "for every user since 06:10.",
        "Harbour Line Ferries",
        "the app is dead for you",
    ),
    # Was "Email from Priya Raman, Head of Ops: 'Your retention job…": the quote is the customer's voice.
    (
        "Email from Priya Raman, Head of Ops at Corvane Logistics: 'Your retention job purged every "
        "attachment older than 30 days from our shipment files.",
        "Corvane Logistics",
        "our retention job purged every attachment older than 30 days from your shipment files",
    ),
    # Was "your team clicked 'Reset template'…": the account as the subject is "you".
    (
        "Quarry Studio clicked 'Reset template' on one project board and it wiped the cards on all 30 of "
        "their boards; the trash is empty.",
        "Quarry Studio",
        "you clicked 'Reset template' on one project board and it wiped the cards",
    ),
    (
        "Brookvale Vets have had three different account managers since January.",
        "Brookvale Vets",
        ("you have had three different account managers since January"),
    ),
    # Was "Teodora says she's been bounced…" and "Hal called back furious: he says…": the teller is the
    # reader, so their "she" and "him" are "you".
    (
        "Teodora from Pixelmint says she's been bounced between three agents in a week and will write it all "
        "up on G2 and Twitter unless someone senior calls…",
        "Pixelmint",
        "you've been bounced between three agents in a week",
    ),
    (
        "Hal at Greenlight Bikes called back furious: he says our account manager talked down to him on the "
        "renewal call and he wants an apology from someone…",
        "Greenlight Bikes",
        "our account manager talked down to you on the renewal call",
    ),
    (
        "Marcus Bell, founder of Driftwood Labs, feels we've strung him along for months with roadmap "
        "promises and says he'll post about it on LinkedIn.",
        "Driftwood Labs",
        "you feel we've strung you along for months with roadmap promises",
    ),
    # A role at the account telling it ("Owner says", "Kestrel Bank's COO is furious that").
    (
        "Kestrel Bank's COO is furious that our VP cancelled their QBR twice at the last minute, and says "
        "she'll tell the Financial Times how vendors treat…",
        None,
        "our VP cancelled your QBR twice at the last minute",
    ),
    # A third party stays one: "a contractor", "a user" are not the reader.
    (
        "Ticket note from Ravi: a contractor at Fernhill Builders says he could see another tenant's "
        "invoices when he switched the company dropdown, amounts…",
        "Fernhill Builders",
        "a contractor could see another tenant's invoices when he switched the company dropdown",
    ),
    (
        "A user at Quillfeather Books noticed password-reset links still work weeks after they were sent.",
        "Quillfeather Books",
        "a user noticed password-reset links still work weeks after they were sent",
    ),
    # Seed 000: the wording goes into every draft, and a draft never names the threat.
    (
        "Brightpath Recruiting says they'll move to a competitor at renewal unless we ship a native "
        "Salesforce integration.",
        "Brightpath Recruiting",
        "a native Salesforce integration",
    ),
    (
        "Owner says a competitor offered them 40% less and they'll leave when the contract ends in May "
        "unless we match it.",
        "Fable & Finch",
        "a competitor offered you 40% less",
    ),
    (
        "Customer threatening to churn over a missing audit log feature: Tessellate's VP Engineering says "
        "without per-user audit logs they won't renew in June.",
        "Tessellate",
        "the missing per-user audit logs",
    ),
    # What "Acme's" leaves bare, and a lead that is context, not the problem.
    (
        "Contract says all their data stays in Sydney, but since the storage migration their nightly backups "
        "have been replicating to…",
        "Wattle & Gum Brewing",
        "your contract says all your data stays in Sydney",
    ),
    (
        "Since their IdP certificate rotation, Fennimore Architects' 60 users get 'SAML response invalid' "
        "and can't sign in at all; password login is…",
        "Fennimore Architects",
        "your 60 users get 'SAML response invalid' and can't sign in at all",
    ),
    # The prefill's guess sometimes keeps the possessive ("Oberon Retail's"): was "for you head office".
    (
        "Azure AD sign-in is failing for Oberon Retail's head office, but their admins switched everyone to "
        "email magic links.",
        "Oberon Retail's",
        "Azure AD sign-in is failing for your head office",
    ),
]


@pytest.mark.parametrize(("summary", "customer", "expected"), WORDINGS)
def test_in_customer_words(summary: str, customer: str | None, expected: str) -> None:
    wording = in_customer_words(summary, customer)
    assert wording == expected
    assert len(wording.split()) <= WORDING_WORDS
    assert not customer or customer.removesuffix("'s").lower() not in wording.lower()


@pytest.mark.parametrize(
    "summary", ["", "   ", "…", "a, " * 20_000, "'" * 40_000, "He says " * 5_000, "x: " * 10_000]
)
def test_odd_summaries_give_a_short_phrase(summary: str) -> None:
    wording = in_customer_words(summary, "Acme")
    assert len(wording.split()) <= WORDING_WORDS
    assert "\x00" not in wording


@pytest.mark.parametrize(
    ("text", "mood"),
    [
        ("Please check the board config", "calm"),
        ("The CEO dashboard is slow", "calm"),
        ("They emailed our CEO about it", "threatening"),
        ("She escalated to the board", "threatening"),
        ("The export fails again", "disappointed"),  # a repeat failure lets them down
    ],
)
def test_a_ceo_or_a_board_threatens_only_when_brought_in(text: str, mood: str) -> None:
    assert read_mood(text).value == mood


@pytest.mark.parametrize(
    ("summary", "customer", "wording"),
    [
        # The team's own note never reaches the letter.
        (
            "Pied Piper says their compression ratio dropped; internal: likely caused by Gavin's hotfix",
            "Pied Piper",
            "your compression ratio dropped",
        ),
        # How they feel, and what they called us, is met by the draft, not quoted back to them.
        (
            "Acme: exports fail and the customer is very angry and says our support is useless",
            "Acme",
            "exports fail",
        ),
        ("Your VP thinks we are incompetent; the reports are missing", "Acme", "the reports are missing"),
        # Slack's markup is no words; an address stays as written.
        ("<@U0ANA> says <!here> the exports are empty", "Acme", "the exports are empty"),
        ("Acme wants invoices to go to ap@acme.io", "Acme", "you want invoices to go to ap@acme.io"),
    ],
)
def test_what_never_goes_into_a_letter(summary: str, customer: str, wording: str) -> None:
    assert in_customer_words(summary, customer) == wording
