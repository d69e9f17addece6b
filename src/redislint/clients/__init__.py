"""Recognition of Redis objects: clients, pipelines, pub/sub, locks, scripts."""
