"""Worker handlers (filled in by the feature work): each takes the live Session first."""

HANDLERS: dict = {}
