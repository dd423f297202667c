"""Stage 1, the watchlist: items, their sources, settings, backup/import, episode states,
and the per-user automation switch (`automation.AutomationSwitch`)."""
