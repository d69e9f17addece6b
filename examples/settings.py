"""RL604 hardcoded-password and RL605 plaintext-remote-connection."""

import os

import redis

# The password is in every clone of the repository, and crosses the network in clear.
cache_bad = redis.Redis(host="cache.prod.example.com", password="correct-horse-battery")
BROKER_URL_BAD = "redis://:correct-horse-battery@cache.prod.example.com:6379/0"

# Secrets from the environment, TLS to the remote server.
cache_fixed = redis.Redis(
    host="cache.prod.example.com",
    password=os.environ["REDIS_PASSWORD"],
    ssl=True,
    socket_timeout=2,
)
BROKER_URL_FIXED = os.environ.get("BROKER_URL", "rediss://cache.prod.example.com:6380/0")

# A service on the same docker-compose network: no TLS needed.
local = redis.Redis(host="redis", socket_timeout=2)
