"""Experiments from the command line: every config check (plan), the stages over the Attack protocol (stages), sweeps,
the page's export and Replay links (replay), the CLI (cli)."""
