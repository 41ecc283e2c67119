"""Group commit with real threads: each job is committed once, in the group it was
queued into, and each caller gets its own result or error."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from walkthrough.group_commit import GroupCommit, Job

WAIT = 10.0  # seconds before a stuck test fails instead of hanging


class Announced(Job[str]):
    """A job that says when its caller has queued it: `run` reads `done` only after
    putting the job in the queue, to see whether it must lead a commit."""

    def __init__(self, name: str) -> None:
        self.queued = threading.Event()
        super().__init__(lambda: name, keys=(name,))

    @property
    def done(self) -> bool:
        self.queued.set()
        return self._done

    @done.setter
    def done(self, value: bool) -> None:
        self._done = value


class Caller(threading.Thread):
    """One caller of `run`, keeping what it got back (or what it raised)."""

    def __init__(self, writer: GroupCommit, job: Job[str]) -> None:
        super().__init__()
        self.writer, self.job = writer, job
        self.result: str | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.writer.run(self.job)
        except BaseException as exc:  # noqa: BLE001 - the test looks at it
            self.error = exc


class Log:
    """A commit function that settles each job with its own decision and records
    the groups it was given; the first group waits for `release` so that later
    callers queue up behind it."""

    def __init__(self, settle: Callable[[Job[Any]], None] | None = None) -> None:
        self.groups: list[list[str]] = []
        self.leading = threading.Event()
        self.release = threading.Event()
        self.settle = settle or (lambda job: job.succeed(job.decide()))

    def __call__(self, jobs: list[Job[Any]]) -> None:
        self.groups.append([job.keys[0] for job in jobs])
        if len(self.groups) == 1:
            self.leading.set()
            assert self.release.wait(WAIT)
        for job in jobs:
            self.settle(job)


def queue_behind_a_leader(writer: GroupCommit, log: Log, names: list[str],
                          ) -> Iterator[Caller]:
    """Start a leader ("lead") blocked in its commit, then callers for `names`, one
    at a time and each queued before the next starts; yield every caller, leader first."""
    leader = Caller(writer, Announced("lead"))
    leader.start()
    assert log.leading.wait(WAIT)
    yield leader
    for name in names:
        job = Announced(name)
        caller = Caller(writer, job)
        caller.start()
        assert job.queued.wait(WAIT)
        yield caller


def finish(log: Log, callers: list[Caller]) -> None:
    log.release.set()
    for caller in callers:
        caller.join(WAIT)
        assert not caller.is_alive()


def test_every_job_is_committed_exactly_once_and_each_caller_gets_its_own_result() -> None:
    committed: list[str] = []
    lock = threading.Lock()

    def commit(jobs: list[Job[Any]]) -> None:
        for job in jobs:
            with lock:
                committed.append(job.keys[0])
            job.succeed(job.decide())

    writer = GroupCommit(commit)
    start = threading.Barrier(6)
    results: dict[int, list[str]] = {}

    def call(caller: int) -> None:
        start.wait()
        results[caller] = [writer.run(Job(lambda n=n: f"{caller}-{n}", keys=(f"{caller}-{n}",)))
                           for n in range(20)]

    threads = [threading.Thread(target=call, args=(caller,)) for caller in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    expected = {caller: [f"{caller}-{n}" for n in range(20)] for caller in range(6)}
    assert results == expected
    assert Counter(committed) == Counter(name for names in expected.values() for name in names)
    assert set(Counter(committed).values()) == {1}


def test_jobs_queued_while_a_leader_commits_are_committed_together_next() -> None:
    log = Log()
    writer = GroupCommit(log)
    callers = list(queue_behind_a_leader(writer, log, ["a", "b", "c"]))
    finish(log, callers)
    assert log.groups == [["lead"], ["a", "b", "c"]]
    assert [(c.result, c.error) for c in callers] == [
        ("lead", None), ("a", None), ("b", None), ("c", None)]


def test_max_jobs_bounds_the_group_and_the_rest_follow_in_order() -> None:
    log = Log()
    writer = GroupCommit(log, max_jobs=2)
    callers = list(queue_behind_a_leader(writer, log, ["a", "b", "c", "d", "e"]))
    finish(log, callers)
    assert log.groups == [["lead"], ["a", "b"], ["c", "d"], ["e"]]
    assert [c.result for c in callers] == ["lead", "a", "b", "c", "d", "e"]


def test_a_job_the_commit_fails_fails_alone() -> None:
    def settle(job: Job[Any]) -> None:
        if job.keys[0] == "bad":
            job.fail(ValueError("refused"))
        else:
            job.succeed(job.decide())

    log = Log(settle)
    writer = GroupCommit(log)
    callers = list(queue_behind_a_leader(writer, log, ["a", "bad", "c"]))
    finish(log, callers)
    assert log.groups == [["lead"], ["a", "bad", "c"]]
    by_name = {c.job.keys[0]: c for c in callers}
    assert [by_name[name].result for name in ("lead", "a", "c")] == ["lead", "a", "c"]
    assert [by_name[name].error for name in ("lead", "a", "c")] == [None, None, None]
    assert isinstance(by_name["bad"].error, ValueError)
    assert by_name["bad"].result is None


class Broken(Exception):
    pass


def test_an_exception_out_of_the_commit_fails_exactly_that_group() -> None:
    """The group ["a", "boom", "b"] breaks after settling "a": "a" keeps its result,
    the other two get the exception; the next group and later callers are unharmed."""
    broken = Broken("the store went away")

    def settle(job: Job[Any]) -> None:
        if job.keys[0] == "boom":
            raise broken
        job.succeed(job.decide())

    log = Log(settle)
    writer = GroupCommit(log, max_jobs=3)
    callers = list(queue_behind_a_leader(writer, log, ["a", "boom", "b", "c"]))
    finish(log, callers)
    assert log.groups == [["lead"], ["a", "boom", "b"], ["c"]]
    outcomes = {c.job.keys[0]: (c.result, c.error) for c in callers}
    assert outcomes == {"lead": ("lead", None), "a": ("a", None), "boom": (None, broken),
                        "b": (None, broken), "c": ("c", None)}
    assert writer.run(Job(lambda: "later", keys=("later",))) == "later"


class Interrupted(BaseException):
    pass


def test_an_interrupted_commit_fails_the_rest_of_its_group_and_reaches_the_leader() -> None:
    def settle(job: Job[Any]) -> None:
        if job.keys[0] in ("a", "b"):
            raise Interrupted
        job.succeed(job.decide())

    log = Log(settle)
    writer = GroupCommit(log, max_jobs=2)
    callers = list(queue_behind_a_leader(writer, log, ["a", "b"]))
    finish(log, callers)
    assert log.groups == [["lead"], ["a", "b"]]
    lead, first, second = callers
    assert lead.result == "lead"
    # Whichever of the two led the group sees the interruption itself; the other is told.
    errors = sorted([first.error, second.error], key=lambda e: isinstance(e, Interrupted))
    assert isinstance(errors[0], RuntimeError)
    assert str(errors[0]) == "the group commit was interrupted"
    assert isinstance(errors[1], Interrupted)
    assert writer.run(Job(lambda: "later", keys=("later",))) == "later"


def commit_each(jobs: list[Job[Any]]) -> None:
    for job in jobs:
        job.succeed(job.decide())


@pytest.mark.parametrize("result", [None, 0, ""])
def test_a_falsy_result_is_handed_back_as_is(result: object) -> None:
    assert GroupCommit(commit_each).run(Job(lambda: result)) == result
