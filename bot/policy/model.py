"""The escalation policy: per-severity clocks and rooms, account weight, triage situations, channel naming.

Pure data, validated once: the built-in `default_policy.yaml`, optionally overridden key by key by a file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Generic, TypeVar, get_args

import yaml
from pydantic import (
    BaseModel,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from bot.core.durations import format_duration
from bot.core.vocabulary import SEVERITIES, RoomKind
from bot.policy.fields import ON_CHANGE, Duration, OnChangeDuration, Phrases, Strict, is_on_change
from bot.policy.loop import DigestPolicy, FollowUpPolicy, MetricsPolicy, RecoveryPolicy, RedFlagPolicy
from bot.policy.room import PatternPolicy, RoomPolicy
from bot.policy.triage import TriagePolicy

DEFAULT_POLICY_FILE = "default_policy.yaml"

T = TypeVar("T")


class CustomerUpdate(Strict):
    """How often the customer hears from us: `default`, kept within the `min`..`max` window."""

    default: Duration
    min: Duration
    max: Duration
    business_days: bool = False

    @model_validator(mode="before")
    @classmethod
    def _window_defaults_to_fixed(cls, data: Any) -> Any:
        if isinstance(data, dict) and "default" in data:
            return {"min": data["default"], "max": data["default"], **data}
        return data

    @model_validator(mode="after")
    def _default_inside_window(self) -> CustomerUpdate:
        shown = {key: format_duration(getattr(self, key)) for key in ("min", "default", "max")}
        for low, high in (("min", "default"), ("default", "max"), ("min", "max")):
            if getattr(self, low) > getattr(self, high):
                raise ValueError(
                    f"{low} {shown[low]} is longer than {high} {shown[high]}; need min <= default <= max"
                )
        return self


class SeverityPolicy(Strict):
    """Clocks, room and owner for one severity. `None` clocks mean "on change" (no fixed cadence)."""

    label: str = Field(min_length=1)
    owner_level: str = Field(min_length=1)
    first_response: Duration
    internal_update: OnChangeDuration
    customer_update: CustomerUpdate | None
    resolution_target: Duration
    room: RoomKind
    # How long a SEV-1/2 may run without a customer liaison before the room is nudged ("on change": never).
    roles_nudge: OnChangeDuration
    # While resolved, how often the liaison is reminded to get the customer's confirmation.
    confirmation_reminder: Duration

    @field_validator("customer_update", mode="before")
    @classmethod
    def _customer_on_change(cls, value: Any) -> Any:
        if is_on_change(value):
            return None
        if isinstance(value, str):
            raise ValueError(f"must be '{ON_CHANGE}' or a mapping with default, min and max, not {value!r}")
        return value

    @field_serializer("customer_update", mode="wrap")
    def _customer_as_text(self, value: CustomerUpdate | None, handler: SerializerFunctionWrapHandler) -> Any:
        return ON_CHANGE if value is None else handler(value)

    @model_validator(mode="after")
    def _responds_before_resolving(self) -> SeverityPolicy:
        if self.first_response > self.resolution_target:
            raise ValueError(
                f"first_response {format_duration(self.first_response)} is longer than "
                f"resolution_target {format_duration(self.resolution_target)}"
            )
        return self


class BySeverity(Strict, Generic[T]):
    """One value per severity, written under the keys SEV-1 .. SEV-4; index it with a severity."""

    sev1: T = Field(alias="SEV-1")
    sev2: T = Field(alias="SEV-2")
    sev3: T = Field(alias="SEV-3")
    sev4: T = Field(alias="SEV-4")

    def __getitem__(self, severity: str) -> T:
        """The value for `severity`; `KeyError` for anything but SEV-1 .. SEV-4."""
        if severity not in SEVERITIES:
            raise KeyError(f"unknown severity {severity!r}; expected one of {', '.join(SEVERITIES)}")
        return getattr(self, "sev" + severity.removeprefix("SEV-"))

    def items(self) -> Iterator[tuple[str, T]]:
        """(severity, value) pairs, most severe first."""
        return ((severity, self[severity]) for severity in SEVERITIES)


class AccountWeight(Strict):
    """When an account is strategic enough to move its escalation up, by at most `max_bump` levels."""

    strategic_tiers: Phrases
    strategic_arr: int = Field(ge=0)
    strategic_users_affected: int = Field(ge=1)
    max_bump: int = Field(ge=0, le=3)
    bump_for_public_exposure: bool
    bump_for_regulatory: bool


class ChannelPolicy(Strict):
    """How war-room channels are named."""

    prefix: str
    max_length: int = Field(ge=20, le=80)

    @field_validator("prefix")
    @classmethod
    def _slack_safe_prefix(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", value):
            raise ValueError(f"must be lowercase letters, digits, '-' or '_' (Slack's rule), not {value!r}")
        return value


class Policy(Strict):
    """The whole escalation policy."""

    severities: BySeverity[SeverityPolicy]
    account_weight: AccountWeight
    escalation_types: Phrases = Field(min_length=1)
    triage: TriagePolicy
    private_types: Phrases
    channel: ChannelPolicy
    sla_warning_fraction: float = Field(gt=0, lt=1)
    reminder_lead: Duration
    room: RoomPolicy
    patterns: PatternPolicy
    follow_ups: FollowUpPolicy
    recovery: RecoveryPolicy
    red_flags: RedFlagPolicy
    metrics: MetricsPolicy
    digest: DigestPolicy

    @field_validator("triage")
    @classmethod
    def _triage_types_are_types(cls, value: TriagePolicy, info: ValidationInfo) -> TriagePolicy:
        known = info.data.get("escalation_types") or ()
        named = [(f"situations.{n}.type", s.type) for n, s in value.situations.items() if s.type]
        named += [("type_floors", name) for name in value.type_floors]
        for where, name in named:
            if known and name not in known:
                raise ValueError(f"{where}: {name!r} is not one of escalation_types ({', '.join(known)})")
        return value

    @field_validator("private_types")
    @classmethod
    def _private_types_are_types(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        known = info.data.get("escalation_types")
        unknown = [name for name in value if known is not None and name not in known]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not one of escalation_types ({', '.join(known or ())})")
        return value

    def for_severity(self, severity: str) -> SeverityPolicy:
        """The policy for `severity` (SEV-1 .. SEV-4); `KeyError` otherwise."""
        return self.severities[severity]

    def room_kind(self, severity: str) -> RoomKind:
        """Whether escalations of `severity` get their own channel or stay in a thread."""
        return self.for_severity(severity).room

    def is_private(self, escalation_type: str) -> bool:
        """True when rooms for `escalation_type` must be private channels."""
        return escalation_type.strip().lower() in self.private_types


class PolicyError(Exception):
    """A policy that cannot be used; `str()` is one line per problem naming the file, key path and reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@cache
def default_policy() -> Policy:
    """The built-in policy from `bot/default_policy.yaml`."""
    return _validate(_default_data(), DEFAULT_POLICY_FILE)


def load_policy(path: str | Path | None) -> Policy:
    """The default policy, with the file at `path` (if any) merged over it key by key."""
    if path is None:
        return default_policy()
    name = str(path)
    return _validate(_deep_merge(_default_data(), _read_file(Path(path), name)), name)


def policy_to_yaml(policy: Policy) -> str:
    """`policy` as readable YAML with compact durations; `load_policy` reads it back unchanged."""
    data = policy.model_dump(mode="json", by_alias=True)
    body = yaml.dump(data, Dumper=_ReadableDumper, sort_keys=False, allow_unicode=True, width=110)
    return "# Effective warroom policy. Durations: 90s, 30m, 2h, 1d, 1w, 1h30m or 'on change'.\n" + body


class _ReadableDumper(yaml.SafeDumper):
    """Writes short lists and flat mappings (customer windows) on one line, as a person would."""


def _flow_if_short(dumper: yaml.SafeDumper, data: list[Any] | dict[str, Any]) -> yaml.Node:
    scalars = list(data.values()) if isinstance(data, dict) else data
    flat = len(str(scalars)) < 90 and len(scalars) <= (4 if isinstance(data, dict) else 10)
    flat = flat and not any(isinstance(item, list | dict) for item in scalars)
    if isinstance(data, dict):
        return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flat)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flat)


_ReadableDumper.add_representer(list, _flow_if_short)
_ReadableDumper.add_representer(dict, _flow_if_short)


def _default_data() -> dict[str, Any]:
    text = (files("bot.policy") / DEFAULT_POLICY_FILE).read_text(encoding="utf-8")
    return _parse_yaml(text, DEFAULT_POLICY_FILE)


def _read_file(path: Path, name: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError([f"{name}: file not found"]) from None
    except UnicodeDecodeError:
        raise PolicyError([f"{name}: is not UTF-8 text"]) from None
    except OSError as exc:
        raise PolicyError([f"{name}: cannot read the file: {exc.strerror or exc}"]) from None
    return _parse_yaml(text, name)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys: PyYAML would silently keep only the last one."""


def _unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[str, Any]:
    loader.flatten_mapping(node)
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = str(loader.construct_object(key_node, deep=True))
        if key in mapping:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def _parse_yaml(text: str, name: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        reason = " ".join(str(exc.problem or exc.context or "unreadable").split())
        what = "" if reason.startswith("duplicate key") else "YAML syntax error: "
        raise PolicyError([f"{name}: {where}{what}{reason}"]) from None
    except yaml.YAMLError as exc:
        raise PolicyError([f"{name}: YAML syntax error: {' '.join(str(exc).split())}"]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        found = type(data).__name__
        raise PolicyError([f"{name}: the top level must be a mapping of policy keys, not a {found}"])
    return data


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        both_mappings = isinstance(current, dict) and isinstance(value, dict)
        merged[key] = _deep_merge(current, value) if both_mappings else value
    return merged


def _validate(data: dict[str, Any], name: str) -> Policy:
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError([f"{name}: {_describe(error)}" for error in exc.errors()]) from None


# Pydantic's own wording names Python types; these say it in the words of a YAML file.
_REASONS = {
    **dict.fromkeys(("bool_parsing", "bool_type"), "must be true or false"),
    **dict.fromkeys(("int_parsing", "int_type", "int_from_float"), "must be a whole number"),
    **dict.fromkeys(("float_parsing", "float_type"), "must be a number"),
    **dict.fromkeys(("string_too_short", "too_short"), "must not be empty"),
    **dict.fromkeys(("tuple_type", "list_type"), "must be a list"),
    **dict.fromkeys(("dict_type", "model_type", "model_attributes_type"), "must be a mapping of key: value"),
    "string_type": "must be text",
}


# Keys earlier versions read, and what took their place.
_RETIRED = {"impact_keywords": "replaced by triage.situations (see the README, Triage rules)"}


def _describe(error: Any) -> str:
    loc = tuple(error["loc"])
    path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
    kind = error["type"]
    if kind == "extra_forbidden":
        reason = _RETIRED.get(path) or _unknown_key(loc)
    elif kind == "missing":
        reason = "required key is missing"
    elif kind == "value_error":
        reason = str(error["msg"]).removeprefix("Value error, ")
    else:
        reason = _REASONS.get(kind) or str(error["msg"]).replace("Input should be", "must be", 1)
        given = error.get("input")
        if isinstance(given, str | int | float):
            reason += f", not {given!r}"
    return f"{path}: {reason}" if path else reason


def _unknown_key(loc: tuple[Any, ...]) -> str:
    expected = _keys_at(loc[:-1])
    by_lower = {key.lower(): key for key in expected}
    close = difflib.get_close_matches(str(loc[-1]).lower(), list(by_lower), n=1, cutoff=0.85)
    if close:
        return f"unknown key (did you mean {by_lower[close[0]]!r}?)"
    return f"unknown key; expected one of: {', '.join(expected)}" if expected else "unknown key"


def _keys_at(loc: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] | None = Policy
    for part in loc:
        fields = model.model_fields if model is not None else {}
        field = next((f for key, f in fields.items() if (f.alias or key) == part), None)
        model = _model_in(field.annotation) if field is not None else None
    return [field.alias or key for key, field in model.model_fields.items()] if model is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and not get_args(annotation) and issubclass(annotation, BaseModel):
        return annotation
    return next((model for arg in get_args(annotation) if (model := _model_in(arg)) is not None), None)
