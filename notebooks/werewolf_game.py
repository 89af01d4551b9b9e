"""Werewolf for nine agents, after AgentScope 1.x's example game (our own code).

The tutorial ``16_werewolf.ipynb`` imports it. Nine players get roles (three werewolves,
three villagers, a seer, a witch, a hunter); a moderator runs nights and days in ``MsgHub``s:
the werewolves talk among themselves and vote, the witch and the seer act, everyone discusses
in the day and votes at once with ``fanout_pipeline`` and a structured-output model (a pydantic
class whose ``vote`` field only allows the names of the living).

``scripted_player(name, game)`` builds a deterministic stand-in for a real model (a
``FunctionModel`` that plays by simple rules), so the game runs offline, the same every time.
Any ``ReActAgent`` with a real model, or a ``UserAgent`` (you), can take a seat.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from ascope_nb.agent import AgentBase, ReActAgent, UserAgent
from ascope_nb.message import Msg
from ascope_nb.pipeline import MsgHub, fanout_pipeline, sequential_pipeline
from ascope_nb.testing import FunctionModel, tool_call

ROLES = ["werewolf"] * 3 + ["villager"] * 3 + ["seer", "witch", "hunter"]
MAX_NIGHTS = 5


class Agreement(BaseModel):
    """The werewolves' discussion output."""

    reach_agreement: bool = Field(description="Whether you agree on tonight's victim")


class Resurrect(BaseModel):
    """The witch's healing potion."""

    resurrect: bool = Field(description="Whether to save tonight's victim")


def choice_model(kind: str, names: Sequence[str], *, field: str = "name") -> type[BaseModel]:
    """A pydantic model whose ``field`` only takes one of ``names`` (the living players)."""
    allowed = Literal[tuple(names)]  # type: ignore[valid-type]
    return create_model(
        kind, **{field: (allowed, Field(description=f"One of: {', '.join(names)}"))}
    )  # type: ignore[call-overload,no-any-return]


def optional_model(kind: str, flag: str, names: Sequence[str]) -> type[BaseModel]:
    """``{flag: bool, name: one of names or None}`` (the witch's poison, the hunter's shot)."""
    allowed = Literal[tuple(names)]  # type: ignore[valid-type]
    return create_model(  # type: ignore[call-overload,no-any-return]
        kind,
        **{flag: (bool, Field(description=f"Whether to {flag}"))},
        name=(allowed | None, Field(default=None, description="Who, if anyone")),
    )


def say(text: str) -> Msg:
    """A message from the moderator."""
    return Msg("Moderator", text, "assistant")


def names(agents: Sequence[AgentBase]) -> str:
    return ", ".join(a.name for a in agents)


def majority(votes: Sequence[str]) -> tuple[str, str]:
    """The most voted name (a tie goes to the name voted first) and the tally as text."""
    counts = Counter(votes)
    top = max(counts.values())
    winner = next(v for v in votes if counts[v] == top)
    return winner, ", ".join(f"{n}: {c}" for n, c in sorted(counts.items()))


def ballots_by_seat(turns: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """``turns`` (``hub_turns`` rows) with each run of ballots listed by seat.

    Ballots are cast at once (``fanout_pipeline``), so a run records them in the order they
    finished, which changes from run to run; everything else keeps its place.

    Example:
        >>> rows = [{"speaker": s, "text": "I vote P1."} for s in ("P6", "P2", "P4")]
        >>> [r["speaker"] for r in ballots_by_seat(rows)]
        ['P2', 'P4', 'P6']
    """
    out: list[Mapping[str, Any]] = []
    run: list[Mapping[str, Any]] = []
    for turn in [*turns, None]:
        if turn is not None and str(turn.get("text", "")).startswith("I vote"):
            run.append(turn)
            continue
        out.extend(sorted(run, key=lambda t: _seat(str(t["speaker"]))))
        run = []
        if turn is not None:
            out.append(turn)
    return out


def _seat(name: str) -> tuple[int, str]:
    """P1 .. P9 by number, then any other name (a person's seat) by name."""
    number = name.removeprefix("P")
    return (int(number), "") if number.isdigit() else (10**6, name)


class Werewolf:
    """One game: the seats, their roles and what happened (``log``).

    Example:
        >>> game = Werewolf(players, seed=7)     # doctest: +SKIP
        >>> await game.night()                   # doctest: +SKIP
        >>> await game.day()                     # doctest: +SKIP
        >>> game.winner                          # doctest: +SKIP
    """

    def __init__(self, players: Sequence[AgentBase], *, seed: int = 0) -> None:
        if len(players) != 9:
            raise ValueError(f"Werewolf needs 9 players, got {len(players)}")
        roles = list(ROLES)
        random.Random(seed).shuffle(roles)
        self.players = list(players)
        self.role = {p.name: r for p, r in zip(self.players, roles, strict=True)}
        self.alive = list(self.players)
        self.log: list[str] = []
        self.claims: dict[str, str] = {}  # player -> role the seer found (said in the day)
        self.checked: dict[str, str] = {}  # the seer's private results
        self.healing = self.poison = True
        self.night_no = 0
        self.winner: str | None = None
        self.roles_told = False
        self.phase: Literal["night", "day"] = "night"

    # ------------------------------------------------------------------ helpers
    def by_role(self, role: str) -> list[AgentBase]:
        return [p for p in self.alive if self.role[p.name] == role]

    def agent(self, name: str) -> AgentBase:
        return next(p for p in self.players if p.name == name)

    def _kill(self, name: str | None) -> None:
        if name and name in [p.name for p in self.alive]:
            self.alive = [p for p in self.alive if p.name != name]

    def _check_winner(self) -> str | None:
        wolves = len(self.by_role("werewolf"))
        if wolves == 0:
            self.winner = "villagers"
        elif wolves >= len(self.alive) - wolves:
            self.winner = "werewolves"
        return self.winner

    @staticmethod
    def _pick(reply: Msg, key: str) -> Any:
        """A structured field, or (a person's typed answer) the text."""
        meta = reply.metadata or {}
        if key in meta:
            return meta[key]
        return (reply.get_text_content() or "").strip()

    async def tell_roles(self) -> None:
        """Greet everyone, then tell each player their role privately."""
        async with MsgHub(self.players) as hub:
            await hub.broadcast(say(f"A new game of Werewolf with {names(self.players)}."))
        for p in self.players:
            await p.observe(say(f"[{p.name} ONLY] {p.name}, your role is {self.role[p.name]}."))
        self.roles_told = True

    # -------------------------------------------------------------------- night
    async def night(self) -> list[str]:
        """One night: the werewolves choose, the witch and the seer act. Returns the dead."""
        if not self.roles_told:
            await self.tell_roles()
        self.night_no += 1
        self.phase = "night"
        alive_names = [p.name for p in self.alive]
        wolves = self.by_role("werewolf")
        async with MsgHub(self.alive, enable_auto_broadcast=False) as town:
            await town.broadcast(say(f"Night {self.night_no} falls. Everyone, close your eyes."))
            async with MsgHub(
                wolves,
                announcement=say(
                    f"Werewolves {names(wolves)}: choose a victim among {', '.join(alive_names)}."
                ),
            ) as den:
                for wolf in wolves:  # one turn each, until they agree
                    answer = await wolf(structured_model=Agreement)
                    if (answer.metadata or {}).get("reach_agreement"):
                        break
                den.set_auto_broadcast(False)  # vote without seeing the others' votes
                ballot = choice_model("WolfVote", alive_names, field="vote")
                votes = await fanout_pipeline(  # at once (see ``day``)
                    wolves, say("Werewolves, vote."), structured_model=ballot
                )
                victim, tally = majority([self._pick(v, "vote") for v in votes])
                await den.broadcast([*votes, say(f"The werewolves chose {victim} ({tally}).")])
            saved, poisoned = await self._witch(town, victim)
            victim = None if saved else victim
            await self._seer(town)
            dead: list[str] = [n for n in dict.fromkeys([victim, poisoned]) if n]
            shot = None
            if victim and self.role[victim] == "hunter" and poisoned != victim:
                shot = await self._hunter(self.agent(victim))
            dead += [shot] if shot and shot not in dead else []
            for name in dead:
                self._kill(name)
            if dead:
                await town.broadcast(say(f"Day breaks. Last night {', '.join(dead)} died."))
            else:
                await town.broadcast(say("Day breaks. Nobody died last night."))
        self.log.append(f"night {self.night_no}: dead {dead or 'none'}")
        self._check_winner()
        return dead

    async def _witch(self, town: MsgHub, victim: str) -> tuple[bool, str | None]:
        """The witch may save tonight's victim, else poison someone: (saved, poisoned)."""
        await town.broadcast(say("Witch, open your eyes."))
        for witch in self.by_role("witch"):
            if self.healing and victim != witch.name:
                answer = await witch(
                    say(f"{victim} was attacked. Save them?"), structured_model=Resurrect
                )
                if (answer.metadata or {}).get("resurrect"):
                    self.healing = False
                    self.log.append(f"night {self.night_no}: the witch saved {victim}")
                    return True, None
            if self.poison:
                model = optional_model("Poison", "poison", [p.name for p in self.alive])
                answer = await witch(say("Use your poison?"), structured_model=model)
                meta = answer.metadata or {}
                if meta.get("poison") and meta.get("name"):
                    self.poison = False
                    return False, str(meta["name"])
        return False, None

    async def _seer(self, town: MsgHub) -> None:
        await town.broadcast(say("Seer, open your eyes."))
        for seer in self.by_role("seer"):
            ballot = choice_model("Check", [p.name for p in self.alive])
            answer = await seer(say("Whose role do you check?"), structured_model=ballot)
            name = str(self._pick(answer, "name"))
            if name in self.role:
                self.checked[name] = self.role[name]
                await seer.observe(say(f"[{seer.name} ONLY] {name} is a {self.role[name]}."))

    async def _hunter(self, hunter: AgentBase) -> str | None:
        model = optional_model("Shot", "shoot", [p.name for p in self.alive if p is not hunter])
        answer = await hunter(
            say(f"{hunter.name}, you are the hunter and you die. Shoot?"), structured_model=model
        )
        meta = answer.metadata or {}
        return str(meta["name"]) if meta.get("shoot") and meta.get("name") else None

    # ---------------------------------------------------------------------- day
    async def day(self) -> str | None:
        """The day: everyone speaks in turn, then votes at once. Returns who is voted out."""
        self.phase = "day"
        alive_names = [p.name for p in self.alive]
        async with MsgHub(self.alive, enable_auto_broadcast=False) as town:
            await town.broadcast(say(f"Discuss, {', '.join(alive_names)}: who is a werewolf?"))
            town.set_auto_broadcast(True)
            await sequential_pipeline(self.alive)
            town.set_auto_broadcast(False)
            ballot = choice_model("Vote", alive_names, field="vote")
            # AgentScope's example votes one by one (``enable_gather=False``); the ballots are
            # independent (auto-broadcast is off, nobody hears a vote before casting theirs),
            # so they run at once: on the embedded model they share the server's slots
            votes = await fanout_pipeline(self.alive, say("Vote now."), structured_model=ballot)
            picks = [str(self._pick(v, "vote")) for v in votes]
            out, tally = majority([p for p in picks if p in alive_names] or alive_names[:1])
            await town.broadcast([*votes, say(f"{out} is voted out ({tally}).")])
            self._kill(out)
            shot = None
            if self.role.get(out) == "hunter":
                shot = await self._hunter(self.agent(out))
                self._kill(shot)
                if shot:
                    await town.broadcast(say(f"The hunter shot {shot}."))
        self.log.append(
            f"day {self.night_no}: voted out {out}" + (f", shot {shot}" if shot else "")
        )
        self._check_winner()
        return out

    async def play(self) -> str:
        """Nights and days until one side wins (at most ``MAX_NIGHTS``)."""
        for _ in range(MAX_NIGHTS):
            await self.night()
            if self.winner:
                break
            await self.day()
            if self.winner:
                break
        result = f"The {self.winner or 'nobody'} win."
        async with MsgHub(self.players) as everyone:
            await everyone.broadcast(say(result))
        self.log.append(result)
        return result


# ---------------------------------------------------------------------- scripted players
def scripted_player(name: str, game_ref: list[Werewolf]) -> ReActAgent:
    """A player whose model follows simple rules (deterministic; no network).

    ``game_ref`` holds the current game (a one-item list, so players can move to a new game).
    The rules: werewolves pick the seer once she speaks up, else the first villager; the witch
    saves on the first night and poisons a wolf the seer named; the seer checks players in
    seat order and names a werewolf in the day; the others vote with the seer.
    """

    def brain(messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None) -> Any:
        game = game_ref[0]
        role = game.role[name]
        alive = [p.name for p in game.alive]
        accused = [n for n, r in game.claims.items() if r == "werewolf" and n in alive]
        fields = {}
        for tool in tools or []:
            if tool["function"]["name"] == "generate_response":
                fields = tool["function"]["parameters"].get("properties", {})
        if "reach_agreement" in fields:
            target = _wolf_target(game)
            return [
                "Let us take " + target + ".",
                tool_call("generate_response", reach_agreement=True),
            ]
        if "vote" in fields:
            options = fields["vote"].get("enum") or alive
            target = _vote(game, name, role, accused, options)
            return [f"I vote {target}.", tool_call("generate_response", vote=target)]
        if "resurrect" in fields:
            return ["I save them.", tool_call("generate_response", resurrect=game.night_no == 1)]
        if "poison" in fields:
            target = accused[0] if accused else None
            return [
                "Poison." if target else "Not tonight.",
                tool_call("generate_response", poison=bool(target), name=target),
            ]
        if "shoot" in fields:
            target = accused[0] if accused else None
            return [
                "Bang." if target else "I hold fire.",
                tool_call("generate_response", shoot=bool(target), name=target),
            ]
        if "name" in fields:  # the seer's check: the next unchecked player in seat order
            unchecked = [n for n in alive if n != name and n not in game.checked]
            target = unchecked[0] if unchecked else alive[0]
            return [f"I check {target}.", tool_call("generate_response", name=target)]
        # free speech: the day discussion
        if role == "seer":
            wolves = [n for n, r in game.checked.items() if r == "werewolf" and n in alive]
            if wolves:
                game.claims[wolves[0]] = "werewolf"
                return f"I am the seer: {wolves[0]} is a werewolf."
        if accused:
            return f"I believe the seer: {accused[0]}."
        return "I have no clue yet; I am listening."

    return ReActAgent(
        name,
        f"You are {name}, a player of Werewolf. Be brief.",
        FunctionModel(brain, model_name="werewolf-rules"),
    )


def _wolf_target(game: Werewolf) -> str:
    seer_claimed = any(r == "werewolf" for r in game.claims.values())
    good = [p.name for p in game.alive if game.role[p.name] != "werewolf"]
    seers = [n for n in good if game.role[n] == "seer"]
    return seers[0] if seer_claimed and seers else good[0]


def _vote(game: Werewolf, name: str, role: str, accused: list[str], options: Sequence[str]) -> str:
    seers = [n for n in options if game.role[n] == "seer"]
    if role == "werewolf" and game.phase == "night":
        target = _wolf_target(game)
    elif role == "werewolf" and accused and seers:  # unmasked: take the seer down with us
        target = seers[0]
    else:  # villagers, and werewolves hiding among them
        after = [n for n in options if n > name] + [n for n in options if n < name]
        target = accused[0] if accused else after[0]  # no clue: the next seat
    return target if target in options else options[0]


def seat_players(
    *, seed: int = 0, human: UserAgent | None = None, seat: int = 0
) -> tuple[Werewolf, list[AgentBase]]:
    """Nine players P1..P9 (``human`` in seat ``seat`` if given) and their game."""
    ref: list[Werewolf] = []
    players: list[AgentBase] = []
    for i in range(1, 10):
        if human is not None and i - 1 == seat:
            players.append(human)
        else:
            players.append(scripted_player(f"P{i}", ref))
    ref.append(Werewolf(players, seed=seed))
    return ref[0], players
