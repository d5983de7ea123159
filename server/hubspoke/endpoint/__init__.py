"""The endpoint's safety: the processes that run requests, their sandbox, and the guard."""
