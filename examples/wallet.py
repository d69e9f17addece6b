"""RL205 watch-without-retry: an optimistic transaction whose conflicts are not retried."""

import redis

r = redis.Redis()


def withdraw_bad(account: str, amount: int) -> None:
    key = f"balance:{account}"
    with r.pipeline() as pipe:
        pipe.watch(key)
        balance = int(pipe.get(key) or 0)
        if balance < amount:
            raise ValueError("insufficient funds")
        pipe.multi()
        pipe.decrby(key, amount)
        # Raises WatchError if another client changed the balance since WATCH.
        pipe.execute()


def withdraw_fixed(account: str, amount: int) -> None:
    key = f"balance:{account}"

    def update(pipe: redis.client.Pipeline) -> None:
        balance = int(pipe.get(key) or 0)
        if balance < amount:
            raise ValueError("insufficient funds")
        pipe.multi()
        pipe.decrby(key, amount)

    r.transaction(update, key)  # watches the key and retries on WatchError
