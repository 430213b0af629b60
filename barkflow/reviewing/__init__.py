"""Reviewing: the static review page of a render or a sweep, read from the manifest."""
