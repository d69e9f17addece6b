"""RL501 pubsub-as-queue: Pub/Sub drops jobs while no worker is listening."""

import json

import redis

r = redis.Redis()


def enqueue_email_bad(to: str, subject: str) -> None:
    r.publish("email_queue", json.dumps({"to": to, "subject": subject}))


def worker_bad() -> None:
    pubsub = r.pubsub()
    pubsub.subscribe("email_queue")
    for message in pubsub.listen():
        print(message)


def enqueue_email_fixed(to: str, subject: str) -> None:
    r.xadd("emails", {"to": to, "subject": subject}, maxlen=100_000, approximate=True)


def worker_fixed(consumer: str) -> None:
    while True:
        for _stream, entries in r.xreadgroup("mailers", consumer, {"emails": ">"}, block=5000):
            for entry_id, fields in entries:
                print(fields)
                r.xack("emails", "mailers", entry_id)


def notify_fixed(user_id: int) -> None:
    # Notifications that may be missed are what Pub/Sub is for.
    r.publish("notifications", user_id)
