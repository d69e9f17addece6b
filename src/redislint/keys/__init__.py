"""Key expressions: structural comparison (``shape``) and cluster hash slots (``slots``)."""
