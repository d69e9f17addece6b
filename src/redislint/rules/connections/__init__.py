"""Connections and round trips (RL8xx): clients built per call, commands per item,
pipelines never sent, scripts re-sent, coroutines never awaited."""

from redislint.rules.connections.client_per_call import ClientPerCall
from redislint.rules.connections.client_without_timeout import ClientWithoutTimeout
from redislint.rules.connections.command_in_loop import CommandInLoop
from redislint.rules.connections.dynamic_lua_script import DynamicLuaScript
from redislint.rules.connections.eval_per_call import EvalPerCall
from redislint.rules.connections.logical_database import LogicalDatabase
from redislint.rules.connections.pipeline_not_executed import PipelineNotExecuted
from redislint.rules.connections.unawaited_async_command import UnawaitedAsyncCommand

__all__ = [
    "ClientPerCall",
    "ClientWithoutTimeout",
    "CommandInLoop",
    "DynamicLuaScript",
    "EvalPerCall",
    "LogicalDatabase",
    "PipelineNotExecuted",
    "UnawaitedAsyncCommand",
]
