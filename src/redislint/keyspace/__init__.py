"""The keyspace map of the code (``redislint keys``)."""
