"""RL502 list-as-queue, RL504 busy-poll: list workers that lose jobs or spin."""

import time

import redis

r = redis.Redis()


def worker_bad() -> None:
    while True:
        # The job leaves Redis before it is done: a crash or deploy here loses it.
        _queue, job = r.brpop("jobs")
        print("running", job)


def poller_bad() -> None:
    while True:
        # Returns at once when the list is empty: this loop burns a core and floods Redis.
        report = r.rpop("reports")
        if report:
            print("rendering", report)


def worker_fixed() -> None:
    while True:
        job = r.blmove("jobs", "jobs:processing", 5, "RIGHT", "LEFT")
        if job is None:
            continue
        print("running", job)
        r.lrem("jobs:processing", 1, job)  # done: forget it


def poller_fixed() -> None:
    while True:
        report = r.rpop("reports")
        if report is None:
            time.sleep(1)
            continue
        print("rendering", report)
