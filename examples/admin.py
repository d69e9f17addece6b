"""RL601 persistence-disabled-in-code, RL602 blocking-save, RL603 unbounded-memory-in-code."""

import redis

r = redis.Redis(host="localhost", socket_timeout=30)


def prepare_bad() -> None:
    # Reconfigures the shared server behind the back of its redis.conf.
    r.config_set("save", "")
    r.config_set("maxmemory", 0)


def backup_bad() -> None:
    # Every client waits until the whole data set is on disk.
    r.save()


def backup_fixed() -> None:
    # Forks and writes the snapshot in the background; poll LASTSAVE for completion.
    r.bgsave()
