"""Imports from the list sites people already keep (SPEC §4 "Imports from list sites").

A MyAnimeList XML export (`mal.py`) or an AniList user's list (`anilist.py`) becomes a
list of `ListEntry` (`entries.py`, only "watching" and "plan to watch"); each entry is
matched to a provider's search results (`searching.py` drives the search, `matching.py`
scores titles with rapidfuzz); the proposal is kept in `list_imports` until the user
confirms it, and confirming adds the accepted entries through the JSON import's path
(`proposals.py`).
"""

from webapp.watchlist.imports.entries import PLAN_TO_WATCH, WATCHING, ListEntry
from webapp.watchlist.imports.proposals import (
    PRECHECK_CONFIDENCE,
    confirm_import,
    get_import,
    import_anilist,
    import_mal,
    proposal_dict,
)

__all__ = ["PLAN_TO_WATCH", "PRECHECK_CONFIDENCE", "WATCHING", "ListEntry", "confirm_import",
           "get_import", "import_anilist", "import_mal", "proposal_dict"]
