"""Public content in five languages: what can be translated, and the queue of what is missing or
stale.

Every multilingual text is one JSON field ({"fr": ..., "ar": ...}, ``i18n.py``) of a public
record: a directory service, its organisation, its sites and closures, a clinic event. French is
the source. A ``models.Translation`` row vouches for one published translation: the hash of the
French it was made from. A translation is **missing** when the field has French and no text in
the language, **stale** when the French changed after the translation was made (the hash
differs).

The content kinds are declared once, in ``KINDS`` (the clinics app adds its events when it starts,
``register``); the queue, the counts, the translate page and the save action all read them.
Reads here; the one write, ``services.translation_save``; the stamps (``stamp``) are written by
the actions that publish content.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sanspeur.accounts import policy

from . import i18n

QUEUE_PAGE = 50  # items listed on the queue page; the counts cover every item
# The role's label (accounts/roles.py) is translated in this app's catalogs, with the pages it opens.
ROLE_LABEL = _("Translator")


@dataclass(frozen=True)
class Kind:
    """One kind of public content with multilingual fields."""

    key: str  # short and stable: stored in Translation.kind and in the queue's links
    label: object  # translated name of the kind
    model: str  # "app_label.Model"
    fields: dict  # field name -> translated label, in the order the queue walks them
    public: Callable[[], QuerySet]  # the records residents can see (the queue's scope)
    title_field: str  # which multilingual field names the record in the queue
    # The path from the record to its partner organisation (accounts.Organisation): the partners'
    # contributors may propose translations of their own records. None: the city's translators only.
    partner_field: str | None = None
    public_url: Callable[[object], str] | None = None  # the record's public page, if it has one
    proposals: bool = False  # a partner's translation goes through a ChangeProposal (services)
    # (flag column, fields): when the record's flag is set, these fields are never shown publicly
    # (a confidential site shows only its intake text, selectors.public_location): not translated.
    hidden_when: tuple[str, tuple[str, ...]] | None = None

    def translatable(self, field: str, values: dict) -> bool:
        return not (self.hidden_when and values.get(self.hidden_when[0]) and field in self.hidden_when[1])

    @property
    def model_class(self):
        return apps.get_model(self.model)


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    KINDS[kind.key] = kind


def _service_url(service) -> str:
    from django.urls import reverse

    return reverse("directory:detail", args=[service.pk])


def _active_services():
    from .models import Service

    return Service.objects.filter(status="active")


def _organizations():
    from .models import Organization

    return Organization.objects.filter(services__status="active").distinct()


def _locations():
    from .models import Location

    return Location.objects.filter(service_at_locations__service__status="active").distinct()


def _closures():
    from .models import Closure

    return Closure.objects.all()


register(
    Kind(
        key="service",
        label=_("Service"),
        model="directory.Service",
        fields={
            "name": _("Name"),
            "description": _("Description"),
            "eligibility_description": _("Who can use it"),
            "application_process": _("How to apply"),
            "fees_description": _("Cost"),
        },
        public=_active_services,
        title_field="name",
        partner_field="organization__partner",
        public_url=_service_url,
        proposals=True,
    )
)
register(
    Kind(
        key="organization",
        label=_("Organisation"),
        model="directory.Organization",
        fields={"name": _("Name"), "description": _("Description")},
        public=_organizations,
        title_field="name",
    )
)
register(
    Kind(
        key="location",
        label=_("Site"),
        model="directory.Location",
        fields={
            "name": _("Name"),
            "description": _("Description"),
            "transportation": _("Getting there"),
            "accessibility": _("Accessibility"),
            "intake_description": _("Intake"),
        },
        public=_locations,
        title_field="name",
        hidden_when=("is_confidential", ("name", "description", "transportation", "accessibility")),
    )
)
register(
    Kind(
        key="closure",
        label=_("Closure"),
        model="directory.Closure",
        fields={"description": _("Note")},
        public=_closures,
        title_field="description",
    )
)


@dataclass(frozen=True)
class Item:
    """One text to translate into one language."""

    kind: Kind
    object_id: str
    field: str
    language: str
    source: str  # today's French
    current: str  # the published translation ("" when missing)
    stale: bool
    previous_source: str  # the French the stale translation was made from
    title: str  # the record's French name, to find it

    @property
    def key(self) -> str:
        """What the queue's links carry: kind, record, field (one text, in every language)."""
        return f"{self.kind.key}:{self.object_id}:{self.field}"

    @property
    def field_label(self):
        return self.kind.fields[self.field]


def parse_key(key: str) -> tuple[Kind, str, str] | None:
    """(kind, object id, field) of a queue key, or None when it names nothing translatable."""
    parts = (key or "").split(":")
    if len(parts) != 3 or parts[0] not in KINDS or parts[2] not in KINDS[parts[0]].fields:
        return None
    if not parts[1] or len(parts[1]) > 40:
        return None
    return KINDS[parts[0]], parts[1], parts[2]


def visible_kinds(acting_user) -> list[Kind]:
    """The translators work on every kind; a partner's contributors on the kinds they may propose."""
    if policy.can_translate_content(acting_user):
        return list(KINDS.values())
    if policy.works_on_the_directory(acting_user):
        return [kind for kind in KINDS.values() if kind.partner_field and kind.proposals]
    return []


def _records(kind: Kind, acting_user) -> QuerySet:
    qs = kind.public()
    if not policy.can_translate_content(acting_user):
        qs = policy.scope(qs, acting_user=acting_user, field=kind.partner_field)
    return qs.order_by("pk")


def _stamps(kind: Kind, languages) -> dict[tuple[str, str, str], tuple[str, str]]:
    from .models import Translation

    rows = Translation.objects.filter(kind=kind.key, language__in=languages).values_list(
        "object_id", "field", "language", "source_hash", "source_text"
    )
    return {(o, f, lang): (h, text) for o, f, lang, h, text in rows.iterator(chunk_size=2000)}


def items(acting_user, languages=i18n.TARGETS, *, kinds: list[Kind] | None = None) -> Iterator[Item]:
    """Every text of the public content that is missing or stale in one of ``languages``, in a
    stable order (kind, record, field, language). Streams the records in chunks; holds the stamps
    of one kind at a time."""
    for kind in kinds if kinds is not None else visible_kinds(acting_user):
        stamps = _stamps(kind, languages)
        fields = list(kind.fields)
        columns = list(dict.fromkeys([kind.title_field, *fields, *([kind.hidden_when[0]] if kind.hidden_when else [])]))
        for pk, *values in _records(kind, acting_user).values_list("pk", *columns).iterator(chunk_size=500):
            by_field = dict(zip(columns, values, strict=True))
            title = i18n.as_texts(by_field[kind.title_field]).get(i18n.FALLBACK, "")
            for field in fields:
                if not kind.translatable(field, by_field):
                    continue
                texts = i18n.as_texts(by_field[field])
                source = texts.get(i18n.FALLBACK, "")
                if not source:
                    continue
                digest = i18n.source_hash(source)
                for language in languages:
                    current = texts.get(language, "")
                    stamp = stamps.get((str(pk), field, language))
                    if current and (stamp is None or stamp[0] == digest):
                        continue  # translated from today's French (or published before the stamps)
                    yield Item(
                        kind=kind,
                        object_id=str(pk),
                        field=field,
                        language=language,
                        source=source,
                        current=current,
                        stale=bool(current),
                        previous_source=stamp[1] if current and stamp else "",
                        title=title,
                    )


def counts(acting_user) -> list[dict]:
    """Per target language: how many texts are missing and how many are stale."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: {"missing": 0, "stale": 0})
    for item in items(acting_user):
        totals[item.language]["stale" if item.stale else "missing"] += 1
    return [
        {"language": language, **totals[language], "total": sum(totals[language].values())} for language in i18n.TARGETS
    ]


def queue(acting_user, language: str, *, limit: int = QUEUE_PAGE) -> list[Item]:
    """The first ``limit`` texts to translate into ``language`` (stale ones first would hide new
    entries; the order is the content's)."""
    return list(islice(items(acting_user, (language,)), limit))


def find(acting_user, language: str, key: str) -> Item | None:
    """One text of the queue, or the same text already up to date (the translator may revise it).
    None when the key names nothing the acting user may translate."""
    parsed = parse_key(key)
    if parsed is None or language not in i18n.TARGETS:
        return None
    kind, object_id, field = parsed
    if kind not in visible_kinds(acting_user):
        return None
    record = _records(kind, acting_user).filter(pk=_pk(kind, object_id)).first() if _pk(kind, object_id) else None
    if record is None or not kind.translatable(field, vars(record)):
        return None
    texts = i18n.as_texts(getattr(record, field))
    source = texts.get(i18n.FALLBACK, "")
    if not source:
        return None
    from .models import Translation

    stamp = Translation.objects.filter(kind=kind.key, object_id=str(record.pk), field=field, language=language).first()
    current = texts.get(language, "")
    stale = bool(current) and stamp is not None and stamp.source_hash != i18n.source_hash(source)
    return Item(
        kind=kind,
        object_id=str(record.pk),
        field=field,
        language=language,
        source=source,
        current=current,
        stale=stale,
        previous_source=stamp.source_text if stale else "",
        title=i18n.as_texts(getattr(record, kind.title_field)).get(i18n.FALLBACK, ""),
    )


def next_key(acting_user, language: str, *, after: str = "") -> str:
    """The key of the text that follows ``after`` in the queue (the queue wraps around; a text
    just translated has left it: then its first text). "" when nothing else is left."""
    first, found = "", False
    for item in items(acting_user, (language,)):
        if item.key == after:
            found = True
            continue
        if found:
            return item.key
        first = first or item.key
    return first


def _pk(kind: Kind, object_id: str):
    """The primary key as the model takes it, or None when the text cannot be one."""
    try:
        return kind.model_class._meta.pk.to_python(object_id)
    except (ValidationError, ValueError, TypeError):  # a malformed id in a link names nothing
        return None


# --- Stamps, written by the actions that publish content -------------------------------------
def stamp(kind: str, object_id, field: str, old, new, *, by=None) -> None:
    """Record where the translations of one text now come from, after ``old`` became ``new``:

    - a language whose text changed was translated from the new French (by ``by``);
    - a language whose text stayed, without a stamp yet (published before the stamps), is
      stamped with the old French: if the French changed, it is now stale;
    - a language removed loses its stamp.
    Call inside the action that writes the text (it joins that transaction).
    """
    from .models import Translation

    old, new = i18n.as_texts(old), i18n.as_texts(new)
    old_source, new_source = old.get(i18n.FALLBACK, ""), new.get(i18n.FALLBACK, "")
    existing = {
        t.language: t
        for t in Translation.objects.filter(kind=kind, object_id=str(object_id), field=field).select_for_update()
    }
    for language in i18n.TARGETS:
        value, row = new.get(language, ""), existing.get(language)
        if not value:
            if row is not None:
                row.delete()
            continue
        if value != old.get(language, "") and new_source:
            # The rows of this text are locked above: an update or a create, without the savepoint
            # and the second look-up of update_or_create (the demo stamps thousands of texts).
            if row is None:
                row = Translation(kind=kind, object_id=str(object_id), field=field, language=language)
            row.source_hash, row.source_text, row.translated_by = i18n.source_hash(new_source), new_source, by
            row.save()
        elif row is None and old_source:
            Translation.objects.create(
                kind=kind,
                object_id=str(object_id),
                field=field,
                language=language,
                source_hash=i18n.source_hash(old_source),
                source_text=old_source,
                translated_by=None,
            )


def stamp_created(kind: str, records, fields, *, by=None) -> None:
    """``stamp(kind, pk, field, {}, value)`` for each field of records just written, many at once:
    one query to look for stamps already there and one to write the missing ones. A text that
    already has stamps (a record written again) goes through ``stamp`` itself."""
    from .models import Translation

    records = list(records)
    existing = set(
        Translation.objects.filter(kind=kind, object_id__in=[str(record.pk) for record in records]).values_list(
            "object_id", "field"
        )
    )
    rows = []
    for record in records:
        for field in fields:
            value = getattr(record, field)
            if (str(record.pk), field) in existing:
                stamp(kind, record.pk, field, {}, value, by=by)
                continue
            texts = i18n.as_texts(value)
            source = texts.get(i18n.FALLBACK, "")
            if not source:
                continue
            rows += [
                Translation(
                    kind=kind,
                    object_id=str(record.pk),
                    field=field,
                    language=language,
                    source_hash=i18n.source_hash(source),
                    source_text=source,
                    translated_by=by,
                )
                for language in i18n.TARGETS
                if texts.get(language)
            ]
    Translation.objects.bulk_create(rows)
