"""The delivery threads kept from one sweep for the next (bot/alerts/workers.py): a task
always starts at once, on an idle thread when there is one, and an idle thread ends in time;
and the sweep slots of OAuth mode: a wait for one is bounded, and given up while delivering."""

from __future__ import annotations

import threading

from bot.alerts.workers import CpuSlots, ThreadCache


def test_a_task_starts_at_once_even_while_every_thread_is_busy() -> None:
    cache = ThreadCache("test-busy")
    release = threading.Event()
    started = [threading.Event() for _ in range(3)]
    for event in started:
        cache.run(lambda event=event: (event.set(), release.wait(5)))
    assert all(event.wait(5) for event in started)  # none queued behind a busy one
    release.set()


def test_an_idle_thread_serves_the_next_task_and_a_failure_does_not_end_it() -> None:
    cache = ThreadCache("test-reuse")
    seen: list[str] = []
    done = threading.Event()

    def fail() -> None:
        seen.append(threading.current_thread().name)
        raise RuntimeError("a task's own failure")

    cache.run(fail)
    for _ in range(500):
        if cache.idle() == 1:
            break
        threading.Event().wait(0.01)
    assert cache.idle() == 1
    cache.run(lambda: (seen.append(threading.current_thread().name), done.set()))
    assert done.wait(5)
    assert seen[0] == seen[1]  # the same thread served both


def test_an_idle_thread_ends_after_its_idle_time() -> None:
    cache = ThreadCache("test-ends", idle_seconds=0.01)
    ran = threading.Event()
    cache.run(ran.set)
    assert ran.wait(5)
    for _ in range(500):
        names = [t.name for t in threading.enumerate()]
        if not any(name.startswith("test-ends") for name in names):
            break
        threading.Event().wait(0.01)
    assert not any(t.name.startswith("test-ends") for t in threading.enumerate())
    assert cache.idle() == 0


def test_sweep_slots_let_so_many_in_and_one_held_through_a_slow_call_delays_others_only_briefly() -> None:
    slots = CpuSlots(1, wait=0.01)
    holding, done = threading.Event(), threading.Event()
    ran_without: list[bool] = []

    def slow() -> None:
        with slots.held():
            assert slots.holds()
            holding.set()
            done.wait(5)  # a slow call made while holding the slot

    def other() -> None:
        with slots.held():
            ran_without.append(slots.holds())

    first = threading.Thread(target=slow)
    first.start()
    assert holding.wait(5)
    second = threading.Thread(target=other)
    second.start()
    second.join(5)
    assert ran_without == [False]  # it went on without a slot after the wait
    done.set()
    first.join(5)
    with slots.held():
        assert slots.holds()  # the slot came back


def test_a_sweep_gives_its_slot_up_while_it_waits_and_takes_one_again() -> None:
    slots = CpuSlots(1, wait=5)
    inside = threading.Event()
    with slots.held():
        with slots.released():
            assert not slots.holds()
            other_slots: list[bool] = []

            def takes() -> None:
                with slots.held():
                    other_slots.append(slots.holds())
                    inside.set()

            worker = threading.Thread(target=takes)
            worker.start()
            assert inside.wait(5)
            worker.join(5)
        assert slots.holds()
    assert other_slots == [True]
    assert not slots.holds()
