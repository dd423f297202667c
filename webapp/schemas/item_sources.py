"""An item's sources in order (SPEC §4 "Backup sources"): bodies, path and responses."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, RootModel

from webapp.schemas.base import MAX_DB_INT, AnimeUrl, Lang, ProviderId, ResponseModel, StrictBody

SourceId = Annotated[int, Field(ge=1, le=MAX_DB_INT)]


class ItemSourceCreate(StrictBody):
    """Body of POST /api/watchlist/{item_id}/sources: a URL checked like a new item's."""

    model_config = ConfigDict(openapi_extra={"example": {  # type: ignore[typeddict-unknown-key]
        "anime_url": "https://anime-sama.si/catalogue/frieren/saison1/vf/",
        "provider_id": "animesama", "lang": "vf"}})

    anime_url: AnimeUrl
    provider_id: ProviderId | None = None
    lang: Lang | None = None


class ItemSourceOrder(StrictBody):
    """Body of PUT /api/watchlist/{item_id}/sources: every source id once, first = own."""

    order: list[SourceId] = Field(min_length=1, max_length=50)


class ItemSourcePath(BaseModel):
    """The item id and one of its source ids in the path."""

    item_id: str
    source_id: int


class ItemSource(ResponseModel):
    """One source of an item; position 0 is the item's own `anime_url` and `lang`."""

    id: int = Field(description="The source's id: the same at any position (0 included).")
    anime_url: str
    provider_id: str
    lang: str
    position: int
    last_error: str | None = Field(description="Why the source's last check failed, if it "
                                                "did.")


class ItemSourceList(RootModel[list[ItemSource]]):
    """An item's sources in the order they are tried."""
