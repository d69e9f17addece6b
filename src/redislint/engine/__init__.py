"""A run, above the rules: discovery, the prefilter, linting files in workers, the cache,
fixes and suppressions. It reads the code through ``redislint.semantic`` and asks the rules
(``redislint.rules``) for their findings."""
