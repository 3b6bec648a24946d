"""`awareprint serve`: the web page for people who never open a terminal (see docs/serving.md)."""
