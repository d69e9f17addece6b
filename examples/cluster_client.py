"""RL704 non-cluster-client: run with the cluster configuration of examples/cluster.toml.

    redislint --config examples/cluster.toml examples/cluster_client.py
"""

import os

import redis
from redis.cluster import RedisCluster

# A plain client cannot follow MOVED/ASK redirects: most commands fail on a cluster.
cache_bad = redis.Redis.from_url(os.environ["REDIS_URL"])

cache_fixed = RedisCluster.from_url(os.environ["REDIS_URL"])
