"""The whole lifecycle in several Slack workspaces at once, and in an Enterprise Grid
organisation: every call to Slack goes with the token of the workspace of whom it is about."""

from __future__ import annotations

import itertools
from typing import Any

from tests.adapters.slack.oauth_world import OAuthWorld, organisation, team
from tests.adapters.slack.world import dm, play, received
from tests.lifecycle import assert_told_in_order, lifecycle_expected, lifecycle_steps

PROGRAM = "Digital Pioneers"


def _people(world: OAuthWorld, suffix: str) -> tuple[str, str, str]:
    hr, mentor, mentee = f"UHR{suffix}", f"UMENTOR{suffix}", f"UMENTEE{suffix}"
    world.fake.users[mentor] = {
        "real_name": "Léa Martin",
        "tz": "America/New_York",
        "locale": "en-US",
        "profile": {"display_name": f"lea{suffix.lower()}"},
    }
    world.fake.users[mentee] = {
        "real_name": f"Marc Dubois {suffix}",
        "tz": "Europe/Paris",
        "locale": "en-GB",
    }
    return hr, mentor, mentee


def _story(
    hr: str, mentor: str, mentee: str, program: str
) -> tuple[list[tuple[str, str]], dict[str, list[str]]]:
    names = {mentor: f"lea{mentor[-1].lower()}", mentee: f"marc{mentee[-1].lower()}"}
    steps = lifecycle_steps(
        hr, mentor, mentee, slash="/", mention=lambda user: f"<@{user}|{names[user]}>"
    )
    steps = [(who, action.replace(PROGRAM, program)) for who, action in steps]
    expected = lifecycle_expected(
        hr,
        mentor,
        mentee,
        mentor_name=names[mentor],
        mentee_name=f"Marc Dubois {mentee[-1]}",
    )
    expected[hr] = [text.replace(PROGRAM, program) for text in expected[hr]]
    return steps, expected


def _units(steps: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Steps that must follow one another (a modal and its submission) kept together."""
    units: list[list[tuple[str, str]]] = []
    for step in steps:
        if step[1].startswith("form:") and units:
            units[-1].append(step)
        else:
            units.append([step])
    return units


def _interleaved(*stories: list[tuple[str, str]]) -> list[tuple[str, str]]:
    mixed = itertools.zip_longest(*(_units(story) for story in stories), fillvalue=[])
    return [step for units in mixed for unit in units for step in unit]


def _recipient(arguments: dict[str, Any]) -> str | None:
    channel = str(arguments.get("channel") or arguments.get("channel_id") or "")
    if channel.startswith("D-"):
        return channel.removeprefix("D-")
    user = arguments.get("users") or arguments.get("user") or arguments.get("user_id")
    return str(user) if user else None


async def test_the_lifecycle_runs_in_two_workspaces_at_once(oauth_slack: OAuthWorld) -> None:
    for grant in (team("TACME", "Acme"), team("TGLOBEX", "Globex")):
        assert (await oauth_slack.install(grant)).status == 200
    acme, globex = _people(oauth_slack, "A"), _people(oauth_slack, "B")
    for user in acme:
        oauth_slack.lives_in(user, "TACME")
    for user in globex:
        oauth_slack.lives_in(user, "TGLOBEX")
    steps_a, expected_a = _story(*acme, "Pioneers Acme")
    steps_b, expected_b = _story(*globex, "Pioneers Globex")

    await play(oauth_slack, _interleaved(steps_a, steps_b))

    assert_told_in_order({**expected_a, **expected_b}, lambda who: received(oauth_slack, who))
    # Each call about a person went with their workspace's token, and every call had one.
    oauth = oauth_slack.fake.oauth
    homes = {user: oauth_slack.homes[user][0] for user in (*acme, *globex)}
    checked = 0
    for method, token, arguments in oauth_slack.fake.sent_with:
        assert oauth.refusal(token) is None, (method, token)
        user = _recipient(arguments)
        if user in homes:
            grant = oauth.grant_of(token)
            assert grant is not None and (grant.team or {}).get("id") == homes[user], method
            checked += 1
    assert checked > 100
    methods = {method for method, _, _ in oauth_slack.fake.sent_with}
    assert {"chat.postMessage", "conversations.open", "users.info", "views.open"} <= methods
    # Nothing went anywhere but the six people's direct messages.
    channels = {args["channel"] for args in oauth_slack.fake.calls_to("chat.postMessage")}
    assert channels == {dm(user) for user in (*acme, *globex)}


async def test_one_program_across_the_teams_of_a_grid_organisation(
    oauth_slack: OAuthWorld,
) -> None:
    assert (await oauth_slack.install(organisation("EMEGA", "Megacorp"))).status == 200
    hr, mentor, mentee = _people(oauth_slack, "G")
    # The owner and the mentor in one team of the organisation, the mentee in another.
    oauth_slack.lives_in(hr, "TMEGAPARIS", "EMEGA", org_wide=True)
    oauth_slack.lives_in(mentor, "TMEGAPARIS", "EMEGA", org_wide=True)
    oauth_slack.lives_in(mentee, "TMEGANYC", "EMEGA", org_wide=True)
    steps, expected = _story(hr, mentor, mentee, "Pioneers Mega")

    await play(oauth_slack, steps)

    assert_told_in_order(expected, lambda who: received(oauth_slack, who))
    (org_token,) = oauth_slack.fake.oauth.tokens
    assert {token for _, token, _ in oauth_slack.fake.sent_with} == {org_token}
    # One person per organisation member, whichever team they spoke from; the team is kept.
    async with oauth_slack.runtime.uow_factory() as uow:
        people = await uow.people_in_workspace("slack", "EMEGA")
        assert {person.user_id for person in people} == {hr, mentor}  # the mentee forgot-me
        assert all((person.address or {}).get("team") == "TMEGAPARIS" for person in people)
