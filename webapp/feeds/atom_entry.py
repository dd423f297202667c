"""A feedgen entry whose links keep all their attributes (imported lazily: feedgen is only
loaded by a process that writes a feed)."""

from __future__ import annotations

import functools
from typing import Any

ATOM_NS = "http://www.w3.org/2005/Atom"


@functools.cache
def _entry_class() -> type:
    from feedgen.entry import FeedEntry

    class CompleteLinksEntry(FeedEntry):
        """feedgen 1.0.0 writes an entry's links with their `href` only (python-feedgen
        issues #135, #143: the enclosure loses rel, type and length); this puts them back."""

        def atom_entry(self, extensions: bool = True) -> Any:
            """The entry's Atom element, its links complete."""
            entry = super().atom_entry(extensions)
            elements = [c for c in entry if c.tag in ("link", f"{{{ATOM_NS}}}link")]
            for element, link in zip(elements, self.link() or [], strict=True):
                for key in ("rel", "type", "hreflang", "title", "length"):
                    if link.get(key):
                        element.set(key, str(link[key]))
            return entry

    return CompleteLinksEntry


def complete_entry() -> Any:
    """A new feed entry whose links are written complete."""
    return _entry_class()()
