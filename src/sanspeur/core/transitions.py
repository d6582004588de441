"""State machines declared once, as named actions: services check a change against them,
templates ask them which actions to offer, and a test walks every state.

    CARD = StateMachine("card", {"suspend": ({"active"}, "suspended"), ...})
    CARD.check(card.state, "suspend")      # raises InvalidTransition; returns the new state
    CARD.offered(card.state)               # {"renew", "suspend", ...} for the page
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class InvalidTransition(ValueError):
    """An action the declared machine does not allow in the current state (stale page or race)."""

    def __init__(self, machine: str, current: str, action: str) -> None:
        super().__init__(f"{machine}: {action} is not allowed from {current}")
        self.machine, self.current, self.action = machine, current, action


class StateMachine:
    def __init__(self, name: str, actions: Mapping[str, tuple[Iterable[str], str]]) -> None:
        self.name = name
        self.actions = {
            action: (frozenset(map(str, sources)), str(target)) for action, (sources, target) in actions.items()
        }

    @property
    def states(self) -> frozenset[str]:
        found = set()
        for sources, target in self.actions.values():
            found |= sources | {target}
        return frozenset(found)

    def can(self, current: str, action: str) -> bool:
        return action in self.actions and str(current) in self.actions[action][0]

    def check(self, current: str, action: str) -> str:
        """The state ``action`` leads to from ``current``; InvalidTransition if it is not allowed."""
        if not self.can(current, action):
            raise InvalidTransition(self.name, str(current), action)
        return self.actions[action][1]

    def offered(self, current: str) -> frozenset[str]:
        return frozenset(action for action in self.actions if self.can(current, action))
