"""The embed mode's URL keys: `embed` names one part of the page, `embed_origins` the embedder's origins whose
postMessage calls the page answers (docs/EMBED.md). Python validates both like every key; both round-trip."""

from __future__ import annotations

import pytest

from backdoor_playground.playground import config as cfg
from backdoor_playground.playground.state_table import EMBED_PARTS, MAX_EMBED_ORIGINS, PANEL_NAMES, PROPS


def test_every_panel_is_an_embed_part_and_the_parts_round_trip():
    assert {"plot", "network"} <= set(EMBED_PARTS)
    assert {f"panel:{name}" for name in PANEL_NAMES} <= set(EMBED_PARTS)
    for part in EMBED_PARTS:
        config, notices = cfg.from_hash("embed=" + part)
        assert (config["embed"], notices) == (part, [])
        assert cfg.from_hash(cfg.to_hash(config))[0]["embed"] == part


@pytest.mark.parametrize("bad", ["panel", "panel:nope", "plot,network", "Plot"])
def test_an_unknown_part_falls_back_to_the_whole_page_with_a_notice(bad):
    config, notices = cfg.validate({"embed": bad})
    assert config["embed"] == ""
    assert len(notices) == 1 and notices[0].startswith("embed=") and "panel:checksum" in notices[0]
    with pytest.raises(ValueError, match="^embed="):
        cfg.validate({"embed": bad}, strict=True)


@pytest.mark.parametrize("good", [
    "https://example.org", "http://127.0.0.1:8000", "https://slides.example.co.uk:8443,http://localhost:3000",
    "http://[::1]:8080", "https://a-b.example", "http://localhost:65535",
])
def test_origins_are_accepted_and_round_trip(good):
    config, notices = cfg.validate({"embed_origins": good})
    assert (config["embed_origins"], notices) == (good, [])
    again, notices = cfg.from_hash(cfg.to_hash(config))
    assert (again["embed_origins"], notices) == (good, [])


@pytest.mark.parametrize("bad", [
    "example.org",                      # no scheme
    "ftp://example.org",                # not http(s)
    "https://example.org/",             # a path (even "/") is not an origin
    "https://example.org/slides",
    "https://example.org:65536",        # no such port
    "https://example.org:",             # empty port
    "https://exa mple.org",
    "https://-bad.example",
    "https://example.org,",             # an empty entry
    "https://a.org, https://b.org",     # spaces are not trimmed: write the list as the browser does
    "*",                                # no wildcard: name each origin
    "javascript:alert(1)",
    ",".join(f"https://h{i}.example" for i in range(MAX_EMBED_ORIGINS + 1)),
])
def test_a_bad_origin_list_falls_back_to_none_with_a_notice_naming_the_key(bad):
    config, notices = cfg.validate({"embed_origins": bad})
    assert config["embed_origins"] == ""
    assert len(notices) == 1 and notices[0].startswith("embed_origins=")
    assert f"up to {MAX_EMBED_ORIGINS} origins http(s)://host[:port]" in notices[0]
    with pytest.raises(ValueError, match="^embed_origins="):
        cfg.validate({"embed_origins": bad}, strict=True)


def test_the_most_origins_allowed_are_accepted():
    many = ",".join(f"https://h{i}.example" for i in range(MAX_EMBED_ORIGINS))
    assert cfg.validate({"embed_origins": many}, strict=True)[0]["embed_origins"] == many


def test_origins_are_not_a_number_or_list_and_default_to_none():
    assert PROPS["embed_origins"].default == ""
    assert cfg.defaults()["embed_origins"] == ""
    assert "embed_origins" not in cfg.to_hash(cfg.defaults())
    config, notices = cfg.validate({"embed_origins": 5})
    assert config["embed_origins"] == "" and notices[0].startswith("embed_origins=5 is not")


def test_the_embed_keys_change_no_number_of_the_playground():
    plain, _ = cfg.from_hash("dataset=xor&seed=3")
    embedded, _ = cfg.from_hash("dataset=xor&seed=3&embed=panel:defense&embed_origins=https://example.org")
    differing = {key for key in plain if plain[key] != embedded[key]}
    assert differing == {"embed", "embed_origins"}
