"""The Werewolf tutorial's game (``notebooks/werewolf_game.py``): rules that must hold for any
players, a deterministic scripted game, and a person's seat with a mistyped vote."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))

from werewolf_game import (  # noqa: E402
    Werewolf,
    ballots_by_seat,
    choice_model,
    majority,
    seat_players,
)

from ascope_nb.agent import ScriptedUserInput, UserAgent  # noqa: E402


def test_majority_breaks_ties_by_the_first_vote() -> None:
    assert majority(["P2", "P3", "P3", "P2"]) == ("P2", "P2: 2, P3: 2")
    assert majority(["P9"]) == ("P9", "P9: 1")


def test_ballots_finishing_in_any_order_are_listed_by_seat_in_place() -> None:
    def turn(speaker: str, text: str) -> dict[str, str]:
        return {"speaker": speaker, "text": text}

    night = [
        turn("Moderator", "Werewolves, vote."),
        turn("P6", "I vote P1."),
        turn("You", "I vote P3."),
        turn("P2", "I vote P1."),
        turn("Moderator", "The werewolves chose P1."),
        turn("P9", "I vote P4."),
        turn("P10", "I vote P4."),
    ]
    listed = [(t["speaker"], t["text"]) for t in ballots_by_seat(night)]
    assert listed == [
        ("Moderator", "Werewolves, vote."),
        ("P2", "I vote P1."),
        ("P6", "I vote P1."),
        ("You", "I vote P3."),
        ("Moderator", "The werewolves chose P1."),
        ("P9", "I vote P4."),
        ("P10", "I vote P4."),
    ]


def test_vote_model_only_takes_the_living() -> None:
    from pydantic import ValidationError

    ballot = choice_model("Vote", ["P1", "P2"], field="vote")
    assert ballot(vote="P2").vote == "P2"
    with pytest.raises(ValidationError):
        ballot(vote="P7")


def test_nine_seats_and_the_roles() -> None:
    game, players = seat_players(seed=8)
    assert [p.name for p in players] == [f"P{i}" for i in range(1, 10)]
    assert sorted(game.role.values()) == sorted(
        ["werewolf"] * 3 + ["villager"] * 3 + ["seer", "witch", "hunter"]
    )
    with pytest.raises(ValueError, match="needs 9 players, got 8"):
        Werewolf(players[:8])


async def test_a_scripted_game_is_the_same_every_time() -> None:
    logs = []
    for _ in range(2):
        game, _players = seat_players(seed=8)
        result = await game.play()
        logs.append(game.log)
    assert logs[0] == logs[1]
    assert result == "The villagers win." and logs[0][-1] == result
    assert game.winner == "villagers" and not game.by_role("werewolf")


async def test_a_person_mistyping_a_vote_is_ignored_not_a_crash() -> None:
    you = UserAgent("P9")
    you.override_instance_input_method(ScriptedUserInput(["hello", "nobody-by-that-name"]))
    game, players = seat_players(seed=8, human=you, seat=8)
    await game.night()
    out = await game.day()
    assert out in game.role and out != "nobody-by-that-name"
    assert out not in [p.name for p in game.alive]
