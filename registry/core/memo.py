"""A process's copies of values that hold while a token has not changed."""

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable


class TokenMemo:
    """This process's copies of values that hold while a token has not changed,
    the least recently used forgotten once their weights pass ``size`` (by
    default each value weighs 1: ``size`` counts values)."""

    def __init__(self, size: int, weight: Callable[[Any], int] | None = None):
        self.size = size
        self.weight = weight or (lambda _value: 1)
        self.entries: OrderedDict[Hashable, tuple[str, Any, int]] = OrderedDict()
        self.held = 0
        self.lock = threading.Lock()

    def get(self, key: Hashable, token: str) -> Any | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0] != token:
                return None
            self.entries.move_to_end(key)
            return entry[1]

    def holds(self, key: Hashable) -> bool:
        """Whether a value is kept under ``key``, whatever its token (asking costs no token)."""
        return key in self.entries

    def put(self, key: Hashable, token: str, value: Any) -> None:
        weight = self.weight(value)
        if weight > self.size:
            return  # it would push out everything else
        with self.lock:
            replaced = self.entries.pop(key, None)
            if replaced is not None:
                self.held -= replaced[2]
            self.entries[key] = (token, value, weight)
            self.held += weight
            while self.held > self.size:
                self.held -= self.entries.popitem(last=False)[1][2]

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.held = 0
