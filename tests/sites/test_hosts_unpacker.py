"""The p.a.c.k.e.r unpacker: round trips through an independent packer, and damaged input."""

from __future__ import annotations

import pytest

from tests.fixtures.hosts.packer import pack
from webapp.sites.hosts.unpacker import UnpackError, find_packed, unpack

SCRIPT = ("var links={\"hls2\":\"/stream/AbC/master.m3u8\"};jwplayer(\"vplayer\").setup("
          "{sources:[{file:links.hls2,type:\"hls\"}],title:'L\\'épisode 12',n:" +
          ",".join(str(i) for i in range(150)) + "});")


@pytest.mark.parametrize("radix", [10, 36, 62])
def test_round_trip(radix: int) -> None:
    packed = pack(SCRIPT, radix=radix)
    assert "master.m3u8" not in packed
    assert unpack(packed) == SCRIPT


def test_page_with_several_scripts_skips_damaged_ones() -> None:
    good = pack("var a=\"/x/master.m3u8\";")
    broken = good.replace("',62,", "',62,99", 1)  # announces 99x words
    page = f"<script>{broken}</script><p>text</p><script>{good}</script>"
    assert find_packed(page) == ['var a="/x/master.m3u8";']


def test_not_packed_or_unsupported() -> None:
    with pytest.raises(UnpackError, match="No eval"):
        unpack("var a = 1;")
    with pytest.raises(UnpackError, match="radix 95"):
        unpack(pack("a b c").replace("',62,", "',95,"))
