"""Reading Teams activities (Bot Framework wire format, as plain dicts) into the engine's terms.

Plain functions over the JSON the Bot Connector posts, so that they do not depend on the SDK
that carries it: the person speaking (with locale, IANA time zone and a conversation reference
to reach them later), the command typed, and the channel it was typed in.
"""

from __future__ import annotations

import html
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.events import Sender

PLATFORM = "teams"
CHANNEL_ID = "msteams"
_AT_TAG = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
# Where a line ends in the HTML Teams sends for a message typed on several lines.
_LINE_END = re.compile(r"<br\s*/?>|</p\s*>|</div\s*>", re.IGNORECASE)
# A reply thread in a channel: ``19:abc@thread.tacv2;messageid=1700000000000``.
_THREAD_SUFFIX = re.compile(r";messageid=\d+$")


def conversation_type(activity: dict[str, Any]) -> str:
    return str((activity.get("conversation") or {}).get("conversationType") or "personal")


def is_personal(activity: dict[str, Any]) -> bool:
    return conversation_type(activity) == "personal"


def tenant_of(activity: dict[str, Any]) -> str:
    conversation = activity.get("conversation") or {}
    tenant = ((activity.get("channelData") or {}).get("tenant") or {}).get("id")
    return str(conversation.get("tenantId") or tenant or "")


def reference_of(activity: dict[str, Any]) -> dict[str, Any]:
    """What ``continue_conversation`` needs to write into this conversation later."""
    conversation = dict(activity.get("conversation") or {})
    conversation.setdefault("tenantId", tenant_of(activity))
    return {
        "channelId": activity.get("channelId") or CHANNEL_ID,
        "serviceUrl": activity.get("serviceUrl"),
        "conversation": conversation,
        "bot": activity.get("recipient"),
        "user": activity.get("from"),
    }


def timezone_of(activity: dict[str, Any]) -> str | None:
    """The IANA zone the client reports (``localTimezone``, or the clientInfo entity's).

    Never derived from the UTC offset of ``localTimestamp``: an offset does not say when
    daylight saving changes, and the check-ins would move by an hour twice a year.
    """
    candidates = [activity.get("localTimezone")]
    candidates += [
        entity.get("timezone")
        for entity in activity.get("entities") or ()
        if str(entity.get("type", "")).lower() == "clientinfo"
    ]
    for candidate in candidates:
        # Only a zone's name: anything else (a list, a 10,000-character string) is no zone.
        if not isinstance(candidate, str) or not candidate or len(candidate) > 64:
            continue
        try:
            ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
        return candidate
    return None


def locale_of(activity: dict[str, Any]) -> str | None:
    locale = activity.get("locale")
    if not locale:
        for entity in activity.get("entities") or ():
            if str(entity.get("type", "")).lower() == "clientinfo" and entity.get("locale"):
                locale = entity["locale"]
    # A language tag is short: anything else is no locale.
    return locale if isinstance(locale, str) and 0 < len(locale) <= 35 else None


def sender_of(
    activity: dict[str, Any], account: dict[str, Any] | None = None, email: str | None = None
) -> Sender:
    """The person behind an activity (or ``account``, a member added to the conversation),
    with their work ``email`` when the adapter learnt it (adapters.teams.member_emails).

    Only a personal chat's reference is kept as the person's address: a channel's would send
    their nudges to the whole team.
    """
    speaker: dict[str, Any] = activity.get("from") or {}
    who: dict[str, Any] = account or speaker
    reference = reference_of(activity)
    reference["user"] = who
    return Sender(
        platform=PLATFORM,
        workspace=tenant_of(activity),
        user_id=str(who.get("id", "")),
        display_name=who.get("name") or None,
        locale=locale_of(activity),
        timezone=timezone_of(activity),
        address={"reference": reference} if is_personal(activity) else None,
        directory_id=_object_id(who.get("aadObjectId")),
        email=email,
    )


def _object_id(value: Any) -> str | None:
    # Only what an Azure AD object id can be: it is looked up as a person's id.
    return value if isinstance(value, str) and 0 < len(value) <= 64 else None


def member_scope(activity: dict[str, Any]) -> str:
    """The conversation a member of this activity's is looked up in (the Bot Connector's "get
    member"): the team, in a channel (Teams documents the team's id there), else the chat,
    without a channel thread's ``;messageid=`` suffix."""
    team = ((activity.get("channelData") or {}).get("team") or {}).get("id")
    if team:
        return str(team)
    conversation = str((activity.get("conversation") or {}).get("id") or "")
    return _THREAD_SUFFIX.sub("", conversation)


def command_text(activity: dict[str, Any]) -> str:
    """The text typed, without the mention of the bot; other mentions become ``@<user id>``."""
    text = str(activity.get("text") or "")
    bot_id = str((activity.get("recipient") or {}).get("id", ""))
    mentioned: dict[str, str] = {}
    for entity in activity.get("entities") or ():
        if str(entity.get("type", "")).lower() != "mention":
            continue
        who = entity.get("mentioned") or {}
        tag = str(entity.get("text") or f"<at>{who.get('name', '')}</at>")
        mentioned[tag] = "" if who.get("id") == bot_id else f"@{who.get('id', '')}"
    for tag, replacement in mentioned.items():
        text = text.replace(tag, replacement)
    # A mention without its entity keeps its name, as written.
    text = _AT_TAG.sub(lambda match: match.group(1), _LINE_END.sub("\n", text))
    text = html.unescape(_TAG.sub("", text)).replace("\xa0", " ")
    # Lines are kept (a roster pasted under the command); spaces within a line are not.
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def mentioned_names(activity: dict[str, Any]) -> dict[str, str]:
    """The people mentioned (not the bot), by user id, with the name Teams shows."""
    bot_id = (activity.get("recipient") or {}).get("id")
    names: dict[str, str] = {}
    for entity in activity.get("entities") or ():
        who = entity.get("mentioned") or {}
        if str(entity.get("type", "")).lower() == "mention" and who.get("id") not in (None, bot_id):
            names[str(who["id"])] = str(who.get("name") or who["id"])
    return names


def channel_of(activity: dict[str, Any]) -> dict[str, Any] | None:
    """A team channel or group chat the command came from, addressed for new top-level posts."""
    if is_personal(activity):
        return None
    reference = reference_of(activity)
    conversation = dict(reference["conversation"])
    conversation["id"] = _THREAD_SUFFIX.sub("", str(conversation.get("id", "")))
    reference["conversation"] = conversation
    channel_data = activity.get("channelData") or {}
    channel = channel_data.get("channel") or {}
    return {
        "platform": PLATFORM,
        "workspace": tenant_of(activity),
        "channel": channel.get("name") or channel.get("id") or conversation["id"],
        "reference": reference,
    }


def members_added(activity: dict[str, Any]) -> list[dict[str, Any]]:
    """People (not the bot) added to a conversation, from a ``conversationUpdate``."""
    bot_id = (activity.get("recipient") or {}).get("id")
    return [
        member
        for member in activity.get("membersAdded") or ()
        if member.get("id") and member.get("id") != bot_id
    ]


def bot_was_added(activity: dict[str, Any]) -> bool:
    """True when the app was just installed in this conversation."""
    if activity.get("type") == "installationUpdate":
        return str(activity.get("action", "")).startswith("add")
    bot_id = (activity.get("recipient") or {}).get("id")
    return any(member.get("id") == bot_id for member in activity.get("membersAdded") or ())


def members_removed(activity: dict[str, Any]) -> list[dict[str, Any]]:
    """People (not the bot) removed from a conversation, from a ``conversationUpdate``."""
    if activity.get("type") != "conversationUpdate":
        return []
    bot_id = (activity.get("recipient") or {}).get("id")
    return [
        member
        for member in activity.get("membersRemoved") or ()
        if isinstance(member, dict) and member.get("id") and member.get("id") != bot_id
    ]


def app_removed_by_person(activity: dict[str, Any]) -> bool:
    """True when a person removed Tandem from their own chat (``installationUpdate`` remove)."""
    return (
        activity.get("type") == "installationUpdate"
        and str(activity.get("action", "")).startswith("remove")
        and is_personal(activity)
    )
