"""Helpers of several cluster rules: which commands go to Redis Cluster, how a key reads in
messages."""

from __future__ import annotations

from redislint.clients.types import Kind, RedisType
from redislint.keys.shape import KeyShape


def on_cluster(receiver: RedisType, cluster: bool) -> bool:
    """Whether commands on ``receiver`` go to Redis Cluster."""
    if receiver.kind not in (Kind.CLIENT, Kind.PIPELINE, Kind.SCRIPT):
        return False
    return receiver.is_cluster is True or cluster


def _show(shape: KeyShape) -> str:
    """A key for messages: ``'user:1'``, or a template as an f-string (``f'{{u:{uid}}}'``)."""
    literal = shape.literal
    if literal is not None:
        return repr(literal)
    text = "".join(
        p.replace("{", "{{").replace("}", "}}")
        if isinstance(p, str)
        else "{" + p.text.split("#")[0] + "}"
        for p in shape.parts
    )
    return "f" + repr(text)
