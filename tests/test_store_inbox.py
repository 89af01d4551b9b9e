"""The store writer's inbox: nothing is lost or reordered however producers and the writer
interleave, a burst wakes the writer once, and ``get`` honours its timeout."""

from __future__ import annotations

import queue
import threading
import time

import pytest

from ascope_nb.store._writer import Inbox


def test_every_item_of_every_producer_arrives_once_in_its_producers_order() -> None:
    inbox = Inbox()
    n_producers, n_items = 4, 5000
    got: list[tuple[int, int]] = []

    def consume() -> None:
        while len(got) < n_producers * n_items:
            got.append(inbox.get(timeout=10))

    def produce(p: int) -> None:
        for i in range(n_items):
            inbox.put((p, i))
            if i % 97 == 0:
                time.sleep(0)  # let the consumer run dry and sleep now and then

    consumer = threading.Thread(target=consume)
    consumer.start()
    producers = [threading.Thread(target=produce, args=(p,)) for p in range(n_producers)]
    for t in producers:
        t.start()
    for t in producers:
        t.join()
    consumer.join(30)
    assert not consumer.is_alive()
    for p in range(n_producers):
        assert [i for q, i in got if q == p] == list(range(n_items))
    assert inbox.empty()


def test_a_burst_wakes_the_consumer_once() -> None:
    inbox = Inbox()
    for i in range(100):
        inbox.put(i)
    assert inbox._wake.qsize() == 1  # one wake-up for the whole burst
    assert [inbox.get_nowait() for _ in range(100)] == list(range(100))
    with pytest.raises(queue.Empty):
        inbox.get_nowait()


def test_get_waits_for_a_late_item_and_times_out_without_one() -> None:
    inbox = Inbox()
    started = time.monotonic()
    with pytest.raises(queue.Empty):
        inbox.get(timeout=0.05)
    assert time.monotonic() - started >= 0.04
    with pytest.raises(queue.Empty):
        inbox.get(timeout=0)
    threading.Timer(0.05, inbox.put, args=("late",)).start()
    assert inbox.get(timeout=5) == "late"
