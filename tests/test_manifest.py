"""manifest.yml: valid against Slack's published schema, and in step with what the code registers and calls.

The schema lives outside the repository, in `shared/slack/` beside the clone (override with
`WARROOM_SLACK_SCHEMA_DIR`). Its `$ref`s name published URLs; a `referencing.Registry` maps them to the
local copies so validation never touches the network. Without the folder the schema tests skip, except
in CI (`CI` set), where they fail: there the folder is expected and the manifest must really be validated.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml
from jsonschema.validators import validator_for
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from bot.http import EVENTS_PATH
from handlers.commands import COMMAND
from handlers.escalations import SHORTCUT
from handlers.timeline import ADD_TO_TIMELINE

REPO = Path(__file__).resolve().parents[1]
MANIFEST_PATH = REPO / "manifest.yml"
SCHEMA_DIR_ENV = "WARROOM_SLACK_SCHEMA_DIR"
DEFAULT_SCHEMA_DIR = Path(__file__).resolve().parents[2] / "shared" / "slack"
ALL_VERSIONS_SCHEMA = "manifest.schema.json"

# Bot scopes each Web API method needs *as warroom calls it* (Slack's method reference, bot tokens).
# Both public and private variants where the code handles both kinds of channel.
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "auth_test": (),
    "bookmarks_add": ("bookmarks:write",),
    "bookmarks_list": ("bookmarks:read",),  # after a dropped connection: was the bookmark added?
    "chat_getPermalink": (),
    "chat_postEphemeral": ("chat:write",),
    # chat:write.public: the card and the announcement go to public channels warroom may not be in
    # (the announcement to the escalations channel has no join-and-retry).
    "chat_postMessage": ("chat:write", "chat:write.public"),
    "chat_update": ("chat:write",),
    "conversations_create": ("channels:manage", "groups:write"),  # is_private per escalation
    "conversations_invite": ("channels:manage", "groups:write"),
    "conversations_history": ("channels:history", "groups:history"),  # draft grounding; a card before a crash
    "conversations_replies": ("channels:history", "groups:history"),  # a card thread's messages for drafts
    "conversations_join": ("channels:join",),
    "users_info": ("users:read",),  # the caller's time zone for "next update at 14:30"
    "conversations_info": ("channels:read", "groups:read"),  # the customer's Slack Connect channel's name
    "conversations_list": ("channels:read", "groups:read"),  # types=public_channel,private_channel
    "conversations_members": ("channels:read", "groups:read"),  # who is in a room: who may act
    "usergroups_list": ("usergroups:read",),  # WARROOM_MANAGERS_GROUP given as a handle
    "usergroups_users_list": ("usergroups:read",),  # who the escalation managers are
    "conversations_setTopic": ("channels:manage", "groups:write"),
    "conversations_archive": ("channels:manage", "groups:write"),  # a closed room after its quiet period
    "views_publish": (),  # the App Home tab
    "files_upload_v2": ("files:write",),  # the chart, the report file, the export (upload v2 flow)
    "conversations_canvases_create": ("canvases:write",),  # the report as the room's canvas
    "conversations_open": ("im:write",),  # the DM of a follow-up's owner, before the reminder is posted
    "pins_add": ("pins:write",),
    "views_open": (),
    "views_update": (),
}
EVENT_SCOPES = {
    "app_mention": ("app_mentions:read",),
    "app_home_opened": (),
    "reaction_added": ("reactions:read",),
    "reaction_removed": ("reactions:read",),
    "message.channels": ("channels:history",),
    "message.groups": ("groups:history",),
}
FEATURE_SCOPES = {"slash_commands": ("commands",), "shortcuts": ("commands",)}
# Scopes granted ahead of the code that will use them: each must say why, so none creeps in silently.
FORWARD_LOOKING_SCOPES: dict[str, str] = {}  # scopes granted before the feature that needs them ships
CODE_DIRS = ("bot", "handlers")
EXCLUDED_DIRS = ("bot/sandbox",)  # the fake Slack: it answers Web API calls, it does not make them


# --- loading ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))


def _schema_dir() -> Path:
    override = os.environ.get(SCHEMA_DIR_ENV)
    if override:
        folder = Path(override).expanduser()
        if not (folder / ALL_VERSIONS_SCHEMA).is_file():
            pytest.fail(f"{SCHEMA_DIR_ENV}={override} has no {ALL_VERSIONS_SCHEMA}")
        return folder
    if not (DEFAULT_SCHEMA_DIR / ALL_VERSIONS_SCHEMA).is_file():
        reason = (
            f"Slack's manifest schema is not at {DEFAULT_SCHEMA_DIR} (clone shared/ beside the repo "
            f"or set {SCHEMA_DIR_ENV})"
        )
        if os.environ.get("CI"):
            pytest.fail(reason + "; in CI the manifest must be validated")
        pytest.skip(reason)
    return DEFAULT_SCHEMA_DIR


def _external_refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) and "://" in node["$ref"] else []
        return found + [ref for value in node.values() for ref in _external_refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _external_refs(value)]
    return []


def _offline(uri: str) -> Resource:
    raise NoSuchResource(ref=uri)  # never fetch: every schema must come from the local folder


class Schemas:
    """The all-versions schema, the per-version URLs it dispatches to, and a registry serving them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.all_versions = self._load(ALL_VERSIONS_SCHEMA)
        resources = [(self.all_versions["$id"], Resource.from_contents(self.all_versions))]
        for url in dict.fromkeys(_external_refs(self.all_versions)):
            local = Path(urlparse(url).path).name
            assert (folder / local).is_file(), f"{url} is referenced but {folder / local} is missing"
            resources.append((url, Resource.from_contents(self._load(local))))
        self.registry = Registry(retrieve=_offline).with_resources(resources)

    def _load(self, name: str) -> dict[str, Any]:
        return yaml.safe_load((self.folder / name).read_text(encoding="utf-8"))  # JSON is YAML

    def url_for_major(self, major: int) -> str:
        """The `$ref` of the all-versions schema's branch for `_metadata.major_version == major`."""
        for branch in self.all_versions["oneOf"]:
            condition, target = branch["allOf"]
            version = condition.get("properties", {}).get("_metadata", {}).get("properties", {})
            if version.get("major_version", {}).get("const") == major:
                return target["$ref"]
        raise AssertionError(f"the schema has no branch for major_version {major}")

    def errors(self, instance: Any, schema: dict[str, Any]) -> list[str]:
        """Every validation error, as `path: message`, with the validator the schema declares."""
        cls = validator_for(self.all_versions)
        cls.check_schema(schema)
        validator = cls(schema, registry=self.registry, format_checker=cls.FORMAT_CHECKER)
        found = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        return [f"{e.json_path}: {e.message}" for e in found]

    def errors_all_versions(self, instance: Any) -> list[str]:
        return self.errors(instance, self.all_versions)

    def errors_for_major(self, instance: Any, major: int) -> list[str]:
        return self.errors(instance, {"$ref": self.url_for_major(major)})


@pytest.fixture(scope="module")
def schemas() -> Schemas:
    return Schemas(_schema_dir())


def _major(manifest: dict[str, Any]) -> int:
    return int(manifest["_metadata"]["major_version"])


# --- against Slack's schema ---------------------------------------------------------------------


def test_manifest_is_valid_for_its_major_version(schemas, manifest):
    errors = schemas.errors_for_major(manifest, _major(manifest))
    assert not errors, "manifest.yml is invalid:\n" + "\n".join(errors)


def test_manifest_is_valid_against_the_all_versions_schema(schemas, manifest):
    errors = schemas.errors_all_versions(manifest)
    # The oneOf hides the cause; the per-version errors say what is wrong.
    detail = schemas.errors_for_major(manifest, _major(manifest)) if errors else []
    assert not errors, "manifest.yml is invalid:\n" + "\n".join(errors + detail)


def _without_name(m: dict[str, Any]) -> None:
    del m["display_information"]["name"]


def _unknown_top_level_key(m: dict[str, Any]) -> None:
    m["feature"] = {"bot_user": {"display_name": "typo"}}


def _short_long_description(m: dict[str, Any]) -> None:
    m["display_information"]["long_description"] = "Too short for Slack."


def _shortcut_without_description(m: dict[str, Any]) -> None:
    del m["features"]["shortcuts"][0]["description"]


@pytest.mark.parametrize(
    "break_it",
    [_without_name, _unknown_top_level_key, _short_long_description, _shortcut_without_description],
)
def test_a_broken_manifest_fails_validation(schemas, manifest, break_it):
    broken = copy.deepcopy(manifest)
    break_it(broken)
    assert schemas.errors_for_major(broken, _major(broken))
    assert schemas.errors_all_versions(broken)


def test_background_color_is_a_hex_colour(manifest):
    # The schema spells this constraint `regex`, which is not a JSON Schema keyword, so no validator
    # applies it; check it here.
    assert re.fullmatch(
        r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", manifest["display_information"]["background_color"]
    )


# --- in step with the code ----------------------------------------------------------------------


def test_slash_command_is_the_one_the_code_registers(manifest):
    commands = manifest["features"]["slash_commands"]
    assert [c["command"] for c in commands] == [COMMAND]
    # `/escalate role liaison @ben` needs the person as Slack's escaped <@U…|ben>; the parser reads that
    # markup (and &amp;) back into plain words everywhere else.
    assert commands[0]["should_escape"] is True


def test_shortcut_is_the_one_the_code_registers(manifest):
    shortcuts = manifest["features"]["shortcuts"]
    assert [(s["type"], s["callback_id"]) for s in shortcuts] == [
        ("message", SHORTCUT),
        ("message", ADD_TO_TIMELINE),
    ]


def test_request_urls_point_at_the_events_path(manifest):
    settings = manifest["settings"]
    urls = [
        *(c["url"] for c in manifest["features"]["slash_commands"]),
        settings["interactivity"]["request_url"],
        *([settings["event_subscriptions"]["request_url"]] if "event_subscriptions" in settings else []),
    ]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is False  # HTTP mode: Slack needs every URL
    for url in urls:
        parsed = urlparse(url)
        assert parsed.scheme == "https", url
        assert parsed.path == EVENTS_PATH, url
    assert len({urlparse(url).netloc for url in urls}) == 1, urls


def _methods_called_in_code() -> dict[str, list[str]]:
    typed = re.compile(r"\bclient\s*\.\s*([a-z]+_[A-Za-z_]+)\s*\(")
    by_name = re.compile(r"\.(?:call|api_call)\(\s*[\"']([a-z]+\.[A-Za-z.]+)[\"']")
    called: dict[str, list[str]] = {}
    for folder in CODE_DIRS:
        for path in sorted((REPO / folder).rglob("*.py")):
            relative = path.relative_to(REPO).as_posix()
            if relative.startswith(EXCLUDED_DIRS):
                continue
            text = path.read_text(encoding="utf-8")
            names = typed.findall(text) + [m.replace(".", "_") for m in by_name.findall(text)]
            for name in names:
                if name != "api_call":
                    called.setdefault(name, []).append(relative)
    return called


def test_scope_table_covers_every_method_the_code_calls():
    called = _methods_called_in_code()
    assert called, "found no Web API calls: has the code moved?"
    missing = {name: where for name, where in called.items() if name not in METHOD_SCOPES}
    assert not missing, f"add these methods and their scopes to METHOD_SCOPES: {missing}"


def test_every_method_the_code_calls_has_its_scopes(manifest):
    granted = set(manifest["oauth_config"]["scopes"]["bot"])
    lacking = {
        method: [s for s in scopes if s not in granted]
        for method, scopes in METHOD_SCOPES.items()
        if any(s not in granted for s in scopes)
    }
    assert not lacking, f"manifest.yml lacks bot scopes: {lacking}"


def test_every_event_and_feature_has_its_scopes(manifest):
    granted = set(manifest["oauth_config"]["scopes"]["bot"])
    events = manifest["settings"].get("event_subscriptions", {}).get("bot_events", [])
    assert set(events) <= set(EVENT_SCOPES), f"add new events to EVENT_SCOPES: {events}"
    needed = {s for e in events for s in EVENT_SCOPES[e]}
    needed |= {s for f in manifest["features"] if f in FEATURE_SCOPES for s in FEATURE_SCOPES[f]}
    assert needed <= granted, f"missing: {sorted(needed - granted)}"


def test_no_scope_without_a_reason(manifest):
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes)), "duplicate scopes (the schema does not catch them)"
    explained = {
        s for table in (METHOD_SCOPES, EVENT_SCOPES, FEATURE_SCOPES) for v in table.values() for s in v
    }
    explained |= set(FORWARD_LOOKING_SCOPES)
    unexplained = sorted(set(scopes) - explained)
    assert not unexplained, f"scopes no call, event or planned feature needs: {unexplained}"
