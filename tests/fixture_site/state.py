"""The fixture site's catalogue: the shows it publishes and the seed every test starts from."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any


@dataclass
class Show:
    """One source the fixture site publishes (an anime-sama season, a directory, a feed...).

    `key` is the path the provider keys the source by; `episodes` is how many episodes are
    released; `placeholders` (anime-sama) how many unreleased dummy entries follow them.
    """

    provider: str
    key: str
    title: str
    episodes: int = 3
    placeholders: int = 1
    alt_titles: tuple[str, ...] = ()
    synopsis: str = "Un synopsis de test."
    genres: tuple[str, ...] = ("Action", "Aventure")
    poster: str = "https://cdn.example/poster.jpg"
    options: dict[str, Any] = field(default_factory=dict)
    modified_at: float = field(default_factory=time.time)

    @property
    def last_modified(self) -> str:
        """The show's Last-Modified header value."""
        return formatdate(self.modified_at, usegmt=True)

    def touch(self) -> None:
        """Mark the show as changed now (a new Last-Modified, one second later at least)."""
        self.modified_at = max(time.time(), self.modified_at + 1)


def seed_shows() -> list[Show]:
    """The shows every fresh fixture site has (tests may add more)."""
    return [
        # anime-sama: one hub (naruto-shippuden) with several seasons, plus frieren.
        Show("animesama", "/catalogue/naruto-shippuden/saison1/vostfr/", "Naruto Shippuden",
             episodes=2, placeholders=1, alt_titles=("Naruto: Shippûden", "ナルト 疾風伝"),
             synopsis="Deux ans et demi plus tard…", genres=("Action", "Aventure", "Shonen"),
             poster="https://cdn.example/naruto-shippuden.jpg",
             options={"names": 'resetListe(); creerListe(1, 3); newSP("3.5"); finirListe(4);'}),
        Show("animesama", "/catalogue/naruto-shippuden/saison1/vf/", "Naruto Shippuden",
             episodes=1),
        Show("animesama", "/catalogue/naruto-shippuden/saison2/vostfr/", "Naruto Shippuden",
             episodes=4),
        Show("animesama", "/catalogue/naruto-shippuden/film/vostfr/", "Naruto Shippuden",
             episodes=1, options={"names": 'resetListe(); newSPF("Film 1");'}),
        Show("animesama", "/catalogue/frieren/saison1/vostfr/", "Frieren",
             episodes=3, placeholders=2, alt_titles=("Sousou no Frieren",),
             synopsis="Après la défaite du roi démon…", genres=("Fantasy", "Drame")),
        # Specials (SOURCES.md Part 1 §2.4): a decimal newSP stays in season 1, a newSPF
        # goes to S00; with placeholders=1 the arrays hold 16 entries, 15 released.
        Show("animesama", "/catalogue/kaiju-no-8/saison1/vostfr/", "Kaiju No. 8",
             episodes=15, alt_titles=("Kaijuu 8-gou", "Monster #8"),
             genres=("Action", "Science-fiction", "Shônen", "Kaiju", "Militaire", "Comédie"),
             options={"names": 'resetListe(); creerListe(1, 12); newSP("12.5"); '
                               'newSPF("Hoshina\'s Day Off"); finirListe(13);'}),
        Show("animesama", "/catalogue/kaiju-no-8/saison1/var/", "Kaiju No. 8", episodes=3),
        # A film page: one entry per film, named by newSPF (the real DBS block).
        Show("animesama", "/catalogue/dragon-ball-super/film/vostfr/", "Dragon Ball Super",
             episodes=2, placeholders=0,
             options={"names": 'resetListe(); newSPF("Broly"); newSPF("Super Hero"); '
                               'finirListe(2);'}),
        # saison4-2 is part 2 of season 4; its own numbering restarts at 1.
        Show("animesama", "/catalogue/shingeki-no-kyojin/saison4/vostfr/", "Shingeki no Kyojin",
             episodes=16, placeholders=0, alt_titles=("L'Attaque des Titans",)),
        Show("animesama", "/catalogue/shingeki-no-kyojin/saison4-2/vostfr/",
             "Shingeki no Kyojin", episodes=12, placeholders=1),
        # neko-sama
        Show("nekosama", "/anime/info/9520-tensei-shitara-slime-datta-ken_vostfr",
             "Tensei Shitara Slime Datta Ken", episodes=3,
             alt_titles=("That Time I Got Reincarnated as a Slime",), genres=("Isekai",)),
        Show("nekosama", "/anime/info/9520-tensei-shitara-slime-datta-ken_vf",
             "Tensei Shitara Slime Datta Ken", episodes=2),
        Show("nekosama", "/anime/info/3458-hunter-x-hunter-2011_vostfr",
             "Hunter x Hunter (2011)", episodes=4, genres=("Aventure",)),
        # anime-ultime (ISO-8859-1 pages)
        Show("animeultime", "/file-0-1/1234/Nanoha-A-s-vostfr", "Magical Girl Lyrical Nanoha A's",
             episodes=3, synopsis="Six mois après... la fée héroïque.",
             options={"first_episode_id": 24348}),
        Show("animeultime", "/file-0-1/777/Ore-no-Imouto-vostfr", "Ore no Imôto ga Konna ni",
             episodes=2, options={"first_episode_id": 31000}),
        # directory listings, one per server shape
        Show("directory", "/dir/nginx/frieren/", "Frieren", episodes=3,
             options={"pattern": "[SubGroup] Sousou no Frieren - {n:02d} (1080p) "
                                 "[ABCD{n:04d}].mkv"}),
        Show("directory", "/dir/nginx-json/frieren/", "Frieren", episodes=3,
             options={"pattern": "Frieren S01E{n:02d} 720p.mkv"}),
        Show("directory", "/dir/apache/show/", "Show", episodes=3,
             options={"pattern": "Show - {n:02d} (1080p).mkv"}),
        Show("directory", "/dir/python/show/", "Show", episodes=3,
             options={"pattern": "Show E{n:02d}.mp4"}),
        # feeds
        Show("rss", "/feeds/rss/show.xml", "Some Show", episodes=3,
             options={"pattern": "[SubsPlease] Some Show - {n:02d} (1080p) [0A1B2C{n:02d}].mkv"}),
        Show("rss", "/feeds/atom/show.xml", "Some Show", episodes=3,
             options={"pattern": "Some Show - {n:02d} (720p).mp4"}),
        Show("rss", "/feeds/torrent/show.xml", "Some Show", episodes=2,
             options={"pattern": "[Group] Some Show - {n:02d} (1080p).mkv", "torrent": True}),
    ]
