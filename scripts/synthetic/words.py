"""The words synthetic records are made of, read from the JSON files in ``data/``, and the
few rules that turn them into names and sentences."""

from __future__ import annotations

import json
import re
from pathlib import Path

DATA = Path(__file__).with_name("data")


def _frozen(value):
    # Tuples, as the lists were when they were Python literals: nothing can change them.
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    return value


def load(name: str) -> dict:
    """The lists of ``data/<name>.json``, by their name."""
    return _frozen(json.loads((DATA / f"{name}.json").read_text(encoding="utf-8")))


_places = load("places")
# Kazakh toponyms are built from a head and a tail, each with its meaning (Karatau, Black
# Mountain), so places have translations; Russian-style ones stand for Soviet-era names.
TOPONYM_HEADS = _places["toponym_heads"]
TOPONYM_TAILS = _places["toponym_tails"]
RUSSIAN_PLACE_HEADS = _places["russian_place_heads"]
RUSSIAN_PLACE_TAILS = _places["russian_place_tails"]
PLACE_FORMS = _places["place_forms"]

_people = load("people")
MALE_NAMES = _people["male_names"]
FEMALE_NAMES = _people["female_names"]
# Stems taking -aev or -ekov: Tokhtarbaev (variant Tokhtarbayev), Tokhtarbekov.
B_STEMS = _people["b_stems"]
OTHER_SURNAMES = _people["other_surnames"]
OCCUPATIONS = _people["occupations"]
CAREERS = _people["careers"]

# Editorial remarks of the kind the article's records carry, by the kind of record ("" for
# any, "names" for the names of places, people and organizations).
NOTES = load("notes")["notes"]

_organizations = load("organizations")
# Kazakh and Russian words that name organizations: (word, meaning, language).
ORG_WORDS = _organizations["org_words"]
ADJECTIVES = _organizations["adjectives"]
CAUSES = _organizations["causes"]
GROUPS = _organizations["groups"]
# By kind: {a} an adjective, {w} a word of ORG_WORDS, {c} a cause, {g} a group, {r} a region,
# {t} a town, {k} a country.
ORG_FORMS = _organizations["org_forms"]
SMALL_WORDS = frozenset(_organizations["small_words"])  # left out of acronyms
GOALS = _organizations["goals"]
IDEOLOGIES = _organizations["ideologies"]
SOCIAL_BASES = _organizations["social_bases"]
FATES = _organizations["fates"]
STANCE_WORDS = _organizations["stance_words"]
ROLE_TITLES = _organizations["role_titles"]
RELATION_PHRASES = _organizations["relation_phrases"]
# How the article's variants name a body by its Kazakh word (“Asar Party”, “Azamat Movement”).
KIND_NOUNS = _organizations["kind_nouns"]
# Word by word, enough to render a synthetic name in Russian (a translation when the name
# holds no Kazakh or Russian word to translate).
RUSSIAN_WORDS = _organizations["russian_words"]

_legislation = load("legislation")
ACT_TOPICS = _legislation["act_topics"]
ACT_FORMS = _legislation["act_forms"]
ACT_EFFECTS = _legislation["act_effects"]
# Provisions by the kind of requirement they set: (summary, the words quoted), with {v} for
# the figure where there is one.
PROVISIONS = _legislation["provisions"]
REQUIREMENT_VALUES = _legislation["requirement_values"]

_events = load("events")
EVENT_FORMS = _events["event_forms"]
ISSUES = _events["issues"]
DEMANDS = _events["demands"]

_sources = load("sources")
SOURCE_BOOK_TITLES = _sources["source_book_titles"]
SOURCE_VOLUME_TITLES = _sources["source_volume_titles"]
NEWSPAPERS = _sources["newspapers"]
JOURNALS = _sources["journals"]
JOURNAL_TITLES = _sources["journal_titles"]
WEB_SITES = _sources["web_sites"]  # (site, path with {n} for an article's number)
PUBLISHERS = _sources["publishers"]
PUBLISHING_PLACES = _sources["publishing_places"]
ARTICLE_TITLES = _sources["article_titles"]
ARTICLE_SECTIONS = _sources["article_sections"]
SOURCE_NOTES = _sources["source_notes"]

_spelling = load("spelling")
# Transliterations that differ (the first rule that applies is used). The first group can
# only match Kazakh or Russian words, so it may be applied to a name mixing them with English
# ("Zheltoksan Movement"); the second would also change English words ("Koreans").
VARIANT_RULES = _spelling["variant_rules"]
NAME_ONLY_RULES = _spelling["name_only_rules"]


def variant_spelling(text: str, *, english: bool = False) -> str | None:
    """Another common spelling of a transliterated name (Nazarbaev -> Nazarbayev, Zheltoksan
    -> Jeltoksan), or None when no rule applies. ``english``: the text has English words too,
    which must stay as they are."""
    for old, new in VARIANT_RULES if english else (*VARIANT_RULES, *NAME_ONLY_RULES):
        if old in text:
            return text.replace(old, new)
    return None


def acronym(name: str) -> str:
    words = [w for w in re.split(r"[\s-]+", name) if w and w.lower() not in SMALL_WORDS]
    letters = "".join(w[0] for w in words if w[0].isupper())
    return letters if len(letters) >= 2 else ""


def first_sentence(text: str, limit: int = 300) -> str:
    sentence = re.split(r"(?<=[.;])\s", text, maxsplit=1)[0].rstrip(".;")
    if len(sentence) > limit:
        sentence = sentence[: limit - 1].rsplit(" ", 1)[0] + "…"
    return sentence


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]
