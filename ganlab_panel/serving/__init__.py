"""Serving sessions: the play loop, its pacing on a shared server, session plumbing, the URL and page hooks."""
