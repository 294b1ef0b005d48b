"""How SHaRON runs, apart from what it does: the database and its pool, sessions and
security headers, serving under eventlet, error pages, templating, the clock, bounded URL
numbers, and the two pieces of performance machinery (kept rules, remembered pieces).

Nothing here knows a forum, the Wall or the library; the areas and the shared rules at
the root of `sharon/` (content, safety, search, permissions, passwords…) build on it.
"""
