"""The escalation policy: seed defaults, partial overrides, one-line errors, and the YAML round trip."""

from datetime import timedelta

import pytest
from pydantic import ValidationError

from bot.policy.model import (
    SEVERITIES,
    CustomerUpdate,
    Policy,
    PolicyError,
    default_policy,
    load_policy,
    policy_to_yaml,
)

M, H, D = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


@pytest.fixture
def write_policy(tmp_path, monkeypatch):
    """Write `policy.yaml` in a scratch working directory and return its name as a user would give it."""
    monkeypatch.chdir(tmp_path)

    def write(text: str) -> str:
        (tmp_path / "policy.yaml").write_text(text, encoding="utf-8")
        return "policy.yaml"

    return write


# DESIGN.md "Policy defaults" plus seed 004's labels and owner levels.
DESIGN_TABLE = [
    # severity, first response, internal, customer (default, min, max, business days), resolution,
    # room, label, owner level
    ("SEV-1", 15 * M, 30 * M, (2 * H, 2 * H, 4 * H, False), 4 * H, "channel", "Critical", "executive"),
    ("SEV-2", 1 * H, 2 * H, (4 * H, 4 * H, 8 * H, False), 8 * H, "channel", "High", "director"),
    ("SEV-3", 4 * H, 1 * D, (1 * D, 1 * D, 2 * D, True), 48 * H, "thread", "Medium", "manager"),
    ("SEV-4", 24 * H, None, None, 7 * D, "thread", "Low", "team lead"),
]


@pytest.mark.parametrize(
    ("severity", "first", "internal", "customer", "resolution", "room", "label", "owner"), DESIGN_TABLE
)
def test_default_policy_matches_the_design_table(
    severity, first, internal, customer, resolution, room, label, owner
):
    rules = default_policy().for_severity(severity)
    assert rules.first_response == first
    assert rules.internal_update == internal
    if customer is None:
        assert rules.customer_update is None
    else:
        window = rules.customer_update
        assert (window.default, window.min, window.max, window.business_days) == customer
    assert rules.resolution_target == resolution
    assert rules.room == room
    assert default_policy().room_kind(severity) == room
    assert (rules.label, rules.owner_level) == (label, owner)


def test_default_policy_top_level_sections():
    policy = default_policy()
    weight = policy.account_weight
    assert weight.strategic_tiers == ("enterprise",)
    assert (weight.strategic_arr, weight.strategic_users_affected, weight.max_bump) == (100_000, 500, 1)
    assert weight.bump_for_public_exposure and weight.bump_for_regulatory
    assert policy.escalation_types == (
        "technical",
        "service",
        "business",
        "security",
        "compliance",
        "billing",
        "relationship",
    )
    assert policy.private_types == ("security", "compliance")
    assert (policy.channel.prefix, policy.channel.max_length) == ("esc", 80)
    assert policy.sla_warning_fraction == 0.8
    assert policy.reminder_lead == 5 * M


@pytest.mark.parametrize(
    ("name", "severity", "reason"),
    [
        ("production_down", "SEV-1", "Production down"),
        ("data_loss", "SEV-1", "Data loss, corruption or deletion"),
        ("security_breach", "SEV-1", "Security breach"),
        ("wrong_party", "SEV-1", "Customer data shown or sent to the wrong party (privacy incident)"),
        ("major_feature_broken", "SEV-2", "Major feature broken, significant impact"),
        ("money_taken_at_scale", "SEV-2", "Money wrongly taken at scale"),
        ("contract_or_residency_breach", "SEV-2", "Contract, data-residency or regulatory breach"),
        ("degraded", "SEV-3", "Feature degraded, workaround exists"),
        ("minor", "SEV-4", "Minor issue, low impact"),
    ],
)
def test_default_situations_follow_seed_001_and_003(name, severity, reason):
    situation = default_policy().triage.situations[name]
    assert (situation.severity, situation.reason) == (severity, reason)
    assert all(phrase == phrase.lower() for group in situation.when for phrase in group)


def test_default_type_floors_and_repeat_window():
    triage = default_policy().triage
    assert triage.type_floors == {"security": "SEV-2", "compliance": "SEV-2"}
    assert (triage.repeat_escalations.window, triage.repeat_escalations.from_count) == (90 * D, 1)


@pytest.mark.parametrize(
    ("escalation_type", "private"),
    [("security", True), ("compliance", True), ("Security ", True), ("technical", False), ("billing", False)],
)
def test_security_and_compliance_rooms_are_private(escalation_type, private):
    assert default_policy().is_private(escalation_type) is private


def test_unknown_severity_is_refused():
    with pytest.raises(KeyError, match="SEV-5"):
        default_policy().for_severity("SEV-5")


def test_policy_is_immutable_and_cached():
    policy = default_policy()
    assert policy is default_policy()
    assert load_policy(None) is policy
    with pytest.raises(ValidationError):
        policy.sla_warning_fraction = 0.5
    with pytest.raises(ValidationError):
        policy.for_severity("SEV-1").first_response = 5 * M


def _dump(policy: Policy) -> dict:
    return policy.model_dump(mode="json", by_alias=True)


@pytest.mark.parametrize(
    ("text", "changes"),
    [
        (
            "severities: {SEV-1: {internal_update: 15m}}",
            {("severities", "SEV-1", "internal_update"): "15m"},
        ),
        (
            "severities:\n  SEV-2:\n    customer_update: {max: 6h}\n",
            {("severities", "SEV-2", "customer_update", "max"): "6h"},
        ),
        (
            "severities: {SEV-3: {room: channel, customer_update: on change}}",
            {
                ("severities", "SEV-3", "room"): "channel",
                ("severities", "SEV-3", "customer_update"): "on change",
            },
        ),
        (
            "severities: {SEV-4: {internal_update: 3d}}",
            {("severities", "SEV-4", "internal_update"): "3d"},
        ),
        (
            "account_weight: {strategic_tiers: [Enterprise, Business]}",
            {("account_weight", "strategic_tiers"): ["enterprise", "business"]},
        ),
        (
            "triage: {situations: {minor: {severity: SEV-3}}}",
            {("triage", "situations", "minor", "severity"): "SEV-3"},
        ),
        (
            "triage: {situations: {nits: {reason: Nit, severity: SEV-4, when: [[Nit, nitpick]]}}}",
            {
                ("triage", "situations", "nits"): {
                    "reason": "Nit",
                    "severity": "SEV-4",
                    "type": None,
                    "flags": [],
                    "when": [["nit", "nitpick"]],
                    "unless": [],
                    "enabled": True,
                }
            },
        ),
        (
            "sla_warning_fraction: 0.9\nreminder_lead: 10m\n",
            {("sla_warning_fraction",): 0.9, ("reminder_lead",): "10m"},
        ),
        ("", {}),
        ("# only a comment\n", {}),
    ],
)
def test_partial_override_changes_only_the_named_keys(write_policy, text, changes):
    expected = _dump(default_policy())
    for path, value in changes.items():
        target = expected
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    assert _dump(load_policy(write_policy(text))) == expected


def test_on_change_customer_updates_can_get_a_fixed_cadence(write_policy):
    policy = load_policy(write_policy("severities: {SEV-4: {customer_update: {default: 2d}}}"))
    assert policy.for_severity("SEV-4").customer_update == CustomerUpdate(default="2d", min="2d", max="2d")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "severities: {SEV-1: {internal_updates: 15m}}",
            "severities.SEV-1.internal_updates: unknown key (did you mean 'internal_update'?)",
        ),
        (
            "severities: {SEV-5: {internal_update: 15m}}",
            "severities.SEV-5: unknown key; expected one of: SEV-1, SEV-2, SEV-3, SEV-4",
        ),
        ("severities: {sev-1: {room: thread}}", "severities.sev-1: unknown key (did you mean 'SEV-1'?)"),
        ("reminder_leed: 5m", "reminder_leed: unknown key (did you mean 'reminder_lead'?)"),
        (
            "severities: {SEV-1: {internal_update: 15 minutes}}",
            "severities.SEV-1.internal_update: "
            "'15 minutes' is not a duration: write it like 90s, 30m, 2h or 1d",
        ),
        (
            "severities: {SEV-2: {first_response: 60}}",
            "severities.SEV-2.first_response: 60 is not a duration: a bare number is ambiguous; "
            "write it like 90s, 30m, 2h or 1d",
        ),
        (
            "severities: {SEV-1: {customer_update: {min: 3h}}}",
            "severities.SEV-1.customer_update: min 3h is longer than default 2h; need min <= default <= max",
        ),
        (
            "severities: {SEV-2: {customer_update: {default: 12h}}}",
            "severities.SEV-2.customer_update: default 12h is longer than max 8h; need min <= default <= max",
        ),
        (
            "severities: {SEV-2: {customer_update: sometimes}}",
            "severities.SEV-2.customer_update: must be 'on change' or a mapping with default, min and max, "
            "not 'sometimes'",
        ),
        (
            "severities: {SEV-2: {room: chanel}}",
            "severities.SEV-2.room: must be 'channel' or 'thread', not 'chanel'",
        ),
        (
            "severities: {SEV-1: {first_response: 5h}}",
            "severities.SEV-1: first_response 5h is longer than resolution_target 4h",
        ),
        ("sla_warning_fraction: 1.5", "sla_warning_fraction: must be less than 1, not 1.5"),
        ("sla_warning_fraction: 0", "sla_warning_fraction: must be greater than 0, not 0"),
        (
            "account_weight: {bump_for_regulatory: maybe}",
            "account_weight.bump_for_regulatory: must be true or false, not 'maybe'",
        ),
        ("account_weight: {max_bump: two}", "account_weight.max_bump: must be a whole number, not 'two'"),
        (
            "private_types: [security, legal]",
            "private_types: 'legal' is not one of escalation_types "
            "(technical, service, business, security, compliance, billing, relationship)",
        ),
        ("escalation_types: []", "escalation_types: must not be empty"),
        (
            "impact_keywords: {SEV-3: [Outage]}",
            "impact_keywords: replaced by triage.situations (see the README, Triage rules)",
        ),
        (
            "triage: {situations: {minor: {severity: SEV-5}}}",
            "triage.situations.minor.severity: must be 'SEV-1', 'SEV-2', 'SEV-3' or 'SEV-4', not 'SEV-5'",
        ),
        (
            "triage: {situations: {mine: {reason: Mine, when: [[foo]]}}}",
            "triage.situations.mine: a situation needs a severity, a type or flags to mean anything",
        ),
        (
            "triage: {situations: {mine: {reason: Mine, type: legal, when: [[foo]]}}}",
            "triage: situations.mine.type: 'legal' is not one of escalation_types "
            "(technical, service, business, security, compliance, billing, relationship)",
        ),
        (
            "triage: {situations: {mine: {reason: Mine, severity: SEV-2, when: [[foo, '(x)']]}}}",
            "triage.situations.mine.when: '(x)' is not a phrase: use words, `*` in a word, `#` for a number",
        ),
        (
            "triage: {situations: {minor: {when: [[]]}}}",
            "triage.situations.minor.when: every group needs at least one phrase",
        ),
        (
            "channel: {prefix: ESC}",
            "channel.prefix: must be lowercase letters, digits, '-' or '_' (Slack's rule), not 'ESC'",
        ),
        ("channel: {max_length: 100}", "channel.max_length: must be less than or equal to 80, not 100"),
        ("severities: nothing", "severities: must be a mapping of key: value, not 'nothing'"),
        ("- severities", "the top level must be a mapping of policy keys, not a list"),
        ("severities:\n  SEV-1: {room: thread}\n  SEV-1: {room: channel}\n", "line 3: duplicate key 'SEV-1'"),
    ],
)
def test_each_mistake_is_one_line_naming_file_key_and_reason(write_policy, text, expected):
    with pytest.raises(PolicyError) as caught:
        load_policy(write_policy(text))
    assert str(caught.value) == f"policy.yaml: {expected}"


def test_missing_file_is_reported_without_a_traceback(write_policy):
    with pytest.raises(PolicyError) as caught:
        load_policy("no-such-policy.yaml")
    assert str(caught.value) == "no-such-policy.yaml: file not found"
    assert caught.value.__suppress_context__


def test_yaml_syntax_error_names_the_line(write_policy):
    name = write_policy("severities:\n  SEV-1:\n    room: [channel\n  SEV-2: {}\n")
    with pytest.raises(PolicyError) as caught:
        load_policy(name)
    message = str(caught.value)
    assert message.startswith("policy.yaml: line 4: YAML syntax error: ")
    assert "\n" not in message


def test_several_mistakes_give_one_line_each(write_policy):
    name = write_policy(
        "severities:\n  SEV-1: {internal_update: soon, room: hall}\n  SEV-9: {}\nsla_warning_fraction: 2\n"
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(name)
    lines = str(caught.value).splitlines()
    assert caught.value.problems == tuple(lines)
    assert sorted(lines) == sorted(
        [
            "policy.yaml: severities.SEV-1.internal_update: 'soon' is not a duration: "
            "write it like 90s, 30m, 2h or 1d",
            "policy.yaml: severities.SEV-1.room: must be 'channel' or 'thread', not 'hall'",
            "policy.yaml: severities.SEV-9: unknown key; expected one of: SEV-1, SEV-2, SEV-3, SEV-4",
            "policy.yaml: sla_warning_fraction: must be less than 1, not 2",
        ]
    )
    assert "pydantic" not in str(caught.value)


def test_all_four_severities_are_required():
    data = _dump(default_policy())
    del data["severities"]["SEV-3"]
    with pytest.raises(ValidationError, match="SEV-3"):
        Policy.model_validate(data)


def test_policy_yaml_shows_compact_durations():
    text = policy_to_yaml(default_policy())
    assert "first_response: 15m" in text
    assert "resolution_target: 1w" in text
    assert "customer_update: {default: 2h, min: 2h, max: 4h, business_days: false}" in text
    assert "internal_update: on change" in text
    assert "timedelta" not in text and "PT" not in text


@pytest.mark.parametrize(
    "override",
    [
        "",
        "severities:\n  SEV-1: {internal_update: 1h30m, customer_update: on change}\n"
        "  SEV-4: {customer_update: {default: 3d, min: 2d, max: 1w, business_days: true}}\n"
        "triage: {situations: {minor: {when: [['500', 'no', 'yes: really']]}}}\nreminder_lead: 90s\n",
    ],
)
def test_effective_policy_round_trips_through_yaml(write_policy, tmp_path, override):
    policy = load_policy(write_policy(override))
    (tmp_path / "effective.yaml").write_text(policy_to_yaml(policy), encoding="utf-8")
    assert load_policy("effective.yaml") == policy


def test_every_severity_is_defined_in_order():
    assert SEVERITIES == ("SEV-1", "SEV-2", "SEV-3", "SEV-4")
    assert [severity for severity, _ in default_policy().severities.items()] == list(SEVERITIES)
