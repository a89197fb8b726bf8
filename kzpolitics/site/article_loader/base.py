"""The loader's machinery: reading the files, reporting each problem with its file and record,
and what every kind of record shares (assigning fields, saving published, citing)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import models, transaction

from elections.models import Election
from kzpolitics.core.models import Citation, Cited, Person, Place, Source, Status
from legislation.models import LegalAct
from parties.models import Organization

ARTICLE_SLUG = "babak-kazakhstan-multiparty-system"
HISTORY_REASON = "Loaded from the article's reviewed data (fixtures/)"
CITATION_KEYS = {
    "field",
    "source",
    "pages",
    "footnote",
    "section",
    "quote",
    "note",
    "public_note",
}
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
# Names are written with the typographic apostrophe (’, U+2019) only, as the article mostly
# prints them; quotes keep whatever the article printed.
STRAIGHT_APOSTROPHE = "'"


class LoadError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the fixtures")


def normalize(text: str) -> str:
    """Text for quote matching: no footnote markers, page-break hyphens or spacing differences."""
    text = re.sub(f"[{SUPERSCRIPTS}]+", "", text)
    text = re.sub(r"-\s*\n\s*\n\s*", "", text)  # words hyphenated across a page break
    text = re.sub(r"\s+", " ", text)
    return text.strip()


@dataclass
class LoaderBase:
    fixtures_dir: Path
    article_path: Path | None
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        # The repository is the data: the fixtures hold every record and quote. The article's
        # text, where it is at hand (settings.ARTICLE_PATH), is only a check of the quotes.
        self.article = None
        if self.article_path is not None and self.article_path.is_file():
            self.article = normalize(self.article_path.read_text(encoding="utf-8"))
        self.sources: dict[str, Source] = {}
        self.places: dict[str, Place] = {}
        self.people: dict[str, Person] = {}
        self.organizations: dict[str, Organization] = {}
        self.elections: dict[str, Election] = {}
        self.acts: dict[str, LegalAct] = {}
        self.context = ""

    # -- reporting ---------------------------------------------------------------------------

    def problem(self, message: str) -> None:
        self.problems.append(f"{self.context}: {message}" if self.context else message)

    def count(self, model: type[models.Model]) -> None:
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + 1

    def read(self, name: str) -> dict:
        path = self.fixtures_dir / name
        if not path.exists():
            self.problems.append(f"{name}: file missing")
            return {}
        try:
            return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            self.problems.append(f"{name}: not valid YAML: {exc}")
            return {}

    def each(self, filename, key, data, method):
        for entry in data[filename].get(key, []):
            self.with_context(filename, entry, method)

    def with_context(self, filename: str, entry: dict, method) -> None:
        slug = entry.get("slug") if isinstance(entry, dict) else None
        self.context = f"{filename}: {slug or repr(entry)[:60]}"
        self.guard(method, entry)

    def guard(self, method, entry) -> None:
        if not isinstance(entry, dict):
            self.problem("expected a mapping")
            return
        try:
            with transaction.atomic():
                method(entry)
        except ValidationError as exc:
            for message in _messages(exc):
                self.problem(message)
        except (KeyError, TypeError, ValueError) as exc:
            self.problem(f"{type(exc).__name__}: {exc}")

    # -- generic helpers ---------------------------------------------------------------------

    def check_keys(self, entry: dict, allowed: set[str], where: str = "") -> None:
        unknown = set(entry) - allowed
        if unknown:
            self.problem(f"{where}unknown key(s): {', '.join(sorted(unknown))}")

    def ref(self, table: dict[str, Any], slug: str | None, what: str):
        if not slug:
            return None
        found = table.get(slug)
        if found is None:
            self.problem(f"unknown {what} “{slug}”")
        return found

    def assign(self, obj: models.Model, entry: dict, plain: tuple[str, ...], dates=()) -> None:
        for name in plain:
            value = entry.get(name)
            if value is None:
                value = "" if _is_text(obj, name) else None
            elif isinstance(value, float):
                value = Decimal(str(value))  # 79.78, not 79.780000000000001136868...
            setattr(obj, name, value)
        for name in dates:
            value = entry.get(name)
            if value is not None and not isinstance(value, dict):
                raise ValidationError({name: "a date is a mapping {text: ..., edtf: ...}"})
            if value:
                self.check_keys(value, {"text", "edtf"}, f"{name}: ")
            setattr(obj, name, value or {})

    def save(self, obj: Cited | Source, exclude=()) -> None:
        obj.full_clean(exclude=exclude, validate_unique=False)
        self.publish(obj)
        obj.save()
        self.count(type(obj))

    @staticmethod
    def publish(obj) -> None:
        """The article's data has been reviewed sentence by sentence: it goes out published,
        and its history says where it came from."""
        obj.status = Status.PUBLISHED
        obj._change_reason = HISTORY_REASON

    def check_name(self, name, where: str = "") -> None:
        """A name uses the typographic apostrophe, so one spelling is stored (and exported)."""
        if isinstance(name, str) and STRAIGHT_APOSTROPHE in name:
            self.problem(f"{where}name “{name}” has a straight apostrophe ('): write ’ (U+2019)")

    def upsert(self, model, slug: str):
        if not slug:
            raise ValidationError("missing slug")
        obj = model.objects.filter(slug=slug).first() or model(slug=slug)
        return obj

    def cite(self, obj: Cited, citations: list | None, where: str = "") -> None:
        """Replace the record's citations with these; check record and field coverage."""
        obj.citations.all().delete()
        citations = citations or []
        if not isinstance(citations, list):
            self.problem(f"{where}citations must be a list")
            return
        named = set()
        for item in citations:
            if not isinstance(item, dict):
                self.problem(f"{where}a citation must be a mapping")
                continue
            self.check_keys(item, CITATION_KEYS, f"{where}citation: ")
            name = item.get("field") or ""
            if name and name not in obj.CITED_FIELDS:
                self.problem(
                    f"{where}citation names “{name}”, not a cited field of "
                    f"{obj._meta.verbose_name} ({', '.join(obj.CITED_FIELDS) or 'none'})"
                )
            named.add(name)
            source = self.ref(self.sources, item.get("source") or ARTICLE_SLUG, "source")
            if source is None:
                continue
            footnote = item.get("footnote")
            via = None
            if source != self.article_source and footnote:
                via = self.article_source
                listed = {int(n) for n in source.footnotes.split(",") if n.strip()}
                if int(footnote) not in listed:
                    self.problem(
                        f"{where}footnote {footnote} does not name {source.slug} "
                        f"(it is named in footnotes {source.footnotes or 'none'})"
                    )
            quote = (item.get("quote") or "").strip()
            # A quote is the article's words when the article is cited, directly or as the way
            # to a work its footnotes name; a source known otherwise (a dataset such as Party
            # Facts) is quoted in its own words, found at the citation's locator.
            from_article = source == self.article_source or via is not None
            if (
                quote
                and from_article
                and self.article is not None
                and normalize(quote) not in self.article
            ):
                self.problem(f"{where}quote not found in the article: “{quote[:80]}”")
            if not from_article and not (item.get("section") or item.get("pages")):
                self.problem(
                    f"{where}a citation of {source.slug} outside the article's footnotes needs "
                    "a locator (section or pages)"
                )
            citation = Citation(
                content_object=obj,
                field=name,
                source=source,
                pages=str(item.get("pages") or ""),
                footnote=footnote,
                section=item.get("section") or "",
                quote=quote,
                via=via,
                note=item.get("note") or "",
                public_note=item.get("public_note") or "",
            )
            citation.full_clean(exclude=("content_type", "object_id"))
            self.publish(citation)
            citation.save()
            self.count(Citation)
        if "" not in named:
            self.problem(f"{where}no citation for the record as a whole")
        missing = [n for n in obj.filled_cited_fields() if n not in named]
        if missing:
            self.problem(f"{where}filled but uncited: {', '.join(missing)}")

    def rows(self, entry: dict, key: str, build) -> None:
        for index, item in enumerate(entry.get(key) or []):
            where = f"{key}[{index}]: "
            if not isinstance(item, dict):
                self.problem(f"{where}expected a mapping")
                continue
            try:
                with transaction.atomic():
                    obj = build(item, where)
                    if obj is not None:
                        self.cite(obj, item.get("citations"), where)
            except ValidationError as exc:
                for message in _messages(exc):
                    self.problem(f"{where}{message}")


def _is_text(obj: models.Model, name: str) -> bool:
    try:
        return isinstance(obj._meta.get_field(name), models.CharField | models.TextField)
    except Exception:
        return False


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{key}: {msg}" for key, msgs in exc.message_dict.items() for msg in msgs]
    return list(exc.messages)
