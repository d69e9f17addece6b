"""RL401 unbounded-stream, RL503 stream-without-ack: streams need trimming and acknowledgements."""

import redis

r = redis.Redis()


def record_order_bad(order_id: str, total: float) -> None:
    # Every order event is kept forever: the stream grows until Redis runs out of memory.
    r.xadd("order-events", {"order": order_id, "total": total})


def record_order_fixed(order_id: str, total: float) -> None:
    r.xadd("order-events", {"order": order_id, "total": total}, maxlen=100_000, approximate=True)


def charge_payments_bad(consumer: str) -> None:
    # Entries are never acknowledged: the group's pending list grows forever and a crashed
    # worker's payments cannot be found and retried.
    while True:
        for _stream, entries in r.xreadgroup("billing", consumer, {"payments": ">"}, block=5000):
            for _entry_id, fields in entries:
                print("charging", fields)


def issue_refunds_fixed(consumer: str) -> None:
    while True:
        for _stream, entries in r.xreadgroup("refunders", consumer, {"refunds": ">"}, block=5000):
            for entry_id, fields in entries:
                print("refunding", fields)
                r.xack("refunds", "refunders", entry_id)
