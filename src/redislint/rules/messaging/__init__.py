"""Messaging rules (RL5xx): Pub/Sub, lists and streams used as queues."""

from redislint.rules.messaging.busy_poll import BusyPoll
from redislint.rules.messaging.cluster_broadcast_publish import ClusterBroadcastPublish
from redislint.rules.messaging.list_as_queue import ListAsQueue
from redislint.rules.messaging.pubsub_as_queue import PubsubAsQueue
from redislint.rules.messaging.stream_without_ack import StreamWithoutAck

__all__ = [
    "BusyPoll",
    "ClusterBroadcastPublish",
    "ListAsQueue",
    "PubsubAsQueue",
    "StreamWithoutAck",
]
