"""List imports (SPEC §4 "Imports from list sites"): bodies and the proposal response."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from flask_openapi3.models import RawModel
from pydantic import BaseModel, Field, StringConstraints

from webapp.schemas.base import AnimeUrl, Lang, ProviderId, ResponseModel, StrictBody

MAL_MEDIA_TYPES = ["application/xml", "text/xml", "application/gzip", "application/x-gzip"]


class MalExport(RawModel):
    """Body of POST /api/imports/mal: the XML file MyAnimeList exports (gzipped or not)."""

    mimetypes: list[str] = MAL_MEDIA_TYPES


class AniListImport(StrictBody):
    """Body of POST /api/imports/anilist: whose AniList list to import."""

    user: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                                           pattern=r"^[\w.-]+$")]


class MatchOverride(StrictBody):
    """A corrected match: another URL of a provider (provider and language guessed from
    the URL when not given, like a create)."""

    url: AnimeUrl
    provider_id: ProviderId | None = None
    lang: Lang | None = None


class ImportConfirm(StrictBody):
    """Body of POST /api/imports/{id}/confirm: the entries to add and their corrections
    (`override` keys are entry indexes; an override of an entry not accepted is ignored)."""

    accept: Annotated[list[Annotated[int, Field(ge=0, le=100_000)]], Field(max_length=10_000)]
    override: dict[Annotated[str, StringConstraints(pattern=r"^\d{1,6}$")], MatchOverride] = \
        Field(default_factory=dict)


class ImportMatch(ResponseModel):
    """The source proposed for an entry."""

    title: str
    url: str
    provider_id: str
    lang: str


class ImportEntry(ResponseModel):
    """One "watching" or "plan to watch" anime of the imported list."""

    title: str
    status: Literal["watching", "plan_to_watch"]
    match: ImportMatch | None
    confidence: float = Field(ge=0, le=1)


class ImportProposal(ResponseModel):
    """An imported list with the proposed matches, waiting for confirmation."""

    id: str
    entries: list[ImportEntry]
    origin: Literal["mal", "anilist", "shared"] = "mal"
    created_count: int = 0
    created_at: datetime | None = None
    confirmed_at: datetime | None = None


class ImportPath(BaseModel):
    """The import id in the path."""

    import_id: Annotated[str, StringConstraints(max_length=64)]
