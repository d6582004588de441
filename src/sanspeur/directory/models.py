"""HSDS 3.0 directory: organisations, services, locations and their satellites.

Human-readable texts are JSON dicts keyed by language code ({"fr": ..., "en": ...}); French is
required and is the visible fallback (see ``i18n.pick``). Primary keys are UUIDs, as HSDS expects.
"""

import uuid

from django.db import models
from django.db.models.fields.json import KeyTextTransform

from . import states

STATUS_CHOICES = [
    ("active", "active"),
    ("inactive", "inactive"),
    ("defunct", "defunct"),
    ("temporarily closed", "temporarily closed"),
]
DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _uuid_field():
    return models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)


class Borough(models.Model):
    """One of Montréal's 19 boroughs, with an approximate centroid (HSDS service_area)."""

    id = _uuid_field()
    code = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Taxonomy(models.Model):
    id = _uuid_field()
    code = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField()
    uri = models.URLField(blank=True)
    version = models.CharField(max_length=20, blank=True)

    def __str__(self):
        return self.name


class TaxonomyTerm(models.Model):
    id = _uuid_field()
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="terms")
    code = models.SlugField(unique=True)
    name = models.JSONField(default=dict)
    description = models.JSONField(default=dict)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code


class Organization(models.Model):
    id = _uuid_field()
    name = models.JSONField(default=dict)
    description = models.JSONField(default=dict)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    # The partner organisation (accounts) whose contributors may propose changes.
    partner = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_modified = models.DateTimeField(auto_now=True)


class Service(models.Model):
    id = _uuid_field()
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="services")
    name = models.JSONField(default=dict)
    description = models.JSONField(default=dict)
    eligibility_description = models.JSONField(default=dict, blank=True)
    application_process = models.JSONField(default=dict, blank=True)
    fees_description = models.JSONField(default=dict, blank=True)
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default="active")
    # Sans peur attributes (exported as HSDS attributes of the "sanspeur" taxonomy).
    no_status_question = models.BooleanField(default=True)
    accepts_card = models.BooleanField(default=False)
    no_id_needed = models.BooleanField(default=False)
    is_free = models.BooleanField(default=True)
    interpretation = models.BooleanField(default=False)
    needs = models.ManyToManyField(TaxonomyTerm, blank=True, related_name="services")
    service_areas = models.ManyToManyField(Borough, blank=True, related_name="services")
    languages = models.JSONField(default=list, blank=True, help_text="ISO 639-1 codes spoken")
    last_verified = models.DateField(null=True, blank=True)
    last_modified = models.DateTimeField(auto_now=True)
    # Unaccented, lower-cased text of every language version: the portable search column.
    search_text = models.TextField(blank=True, editable=False)
    # Derived on save, so that search can filter and sort in SQL on every database:
    # the plain (unaccented, lower-cased) name per interface language, French fallback applied...
    sort_names = models.JSONField(default=dict, blank=True, editable=False)
    # ...and the spoken languages as ",fr,es," (a portable "contains" filter).
    languages_key = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        # Search pages are ordered by the name in the page language: one expression index per
        # interface language lets the database read the first page without sorting every row.
        indexes = [
            models.Index(KeyTextTransform(code, "sort_names"), "id", name=f"dir_service_sort_{code}")
            for code in ("fr", "en", "es", "ar", "ht")
        ]

    def save(self, *args, **kwargs):
        derived = self.refresh_derived()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *derived}
        super().save(*args, **kwargs)

    def refresh_derived(self) -> list[str]:
        """Recompute the derived columns from name and languages; returns their names."""
        from django.conf import settings

        from . import i18n

        self.sort_names = {code: i18n.plain(i18n.pick(self.name, code).value) for code, _ in settings.LANGUAGES}
        self.languages_key = "," + ",".join(self.languages or []) + "," if self.languages else ""
        return ["sort_names", "languages_key"]


class Location(models.Model):
    id = _uuid_field()
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="locations")
    name = models.JSONField(default=dict)
    description = models.JSONField(default=dict, blank=True)
    borough = models.ForeignKey(Borough, on_delete=models.PROTECT, related_name="locations")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    transportation = models.JSONField(default=dict, blank=True)
    accessibility = models.JSONField(default=dict, blank=True, help_text='{"fr": ..., "en": ...}')
    # A confidential site (a shelter) is only ever shown through its front gate.
    is_confidential = models.BooleanField(default=False)
    intake_phone = models.CharField(max_length=40, blank=True)
    intake_description = models.JSONField(default=dict, blank=True)


class Address(models.Model):
    id = _uuid_field()
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    address_1 = models.CharField(max_length=200)
    address_2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, default="Montréal")
    state_province = models.CharField(max_length=10, default="QC")
    postal_code = models.CharField(max_length=10)
    country = models.CharField(max_length=2, default="CA")
    address_type = models.CharField(max_length=20, default="physical")


class ServiceAtLocation(models.Model):
    id = _uuid_field()
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="service_at_locations")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["service", "location"], name="directory_sal_unique")]


class Phone(models.Model):
    id = _uuid_field()
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE, related_name="phones")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=40)
    extension = models.CharField(max_length=10, blank=True)
    type = models.CharField(max_length=20, default="voice")
    description = models.JSONField(default=dict, blank=True)


class Schedule(models.Model):
    """A weekly opening rule (RRULE parts). opens_at/closes_at are local America/Montreal times."""

    id = _uuid_field()
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedules")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules")
    freq = models.CharField(max_length=10, default="WEEKLY")
    byday = models.CharField(max_length=40, help_text="e.g. MO,TU,WE")
    opens_at = models.TimeField()
    closes_at = models.TimeField()
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    description = models.JSONField(default=dict, blank=True)


class Closure(models.Model):
    """A holiday or exception: the service (or, with no service, every service) is closed."""

    id = _uuid_field()
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE, related_name="closures")
    date_start = models.DateField()
    date_end = models.DateField()
    description = models.JSONField(default=dict, blank=True)


class ChangeProposal(models.Model):
    """A partner's proposed change to a service's texts, reviewed by a city editor."""

    PENDING, PUBLISHED, REJECTED = states.PENDING, states.PUBLISHED, states.REJECTED

    id = _uuid_field()
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="proposals")
    proposed_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    changes = models.JSONField(help_text='{"name": {"fr": ..., "en": ...}, "description": {...}}')
    status = models.CharField(max_length=10, default=PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    @property
    def offered_actions(self) -> frozenset[str]:
        """What the review page may offer in the proposal's state (directory/states.py)."""
        return states.PROPOSAL.offered(self.status)


class ServiceVersion(models.Model):
    """One published version of a service: who, when, which fields changed, previous values."""

    id = _uuid_field()
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    published_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    changed_fields = models.JSONField(default=list)
    previous = models.JSONField(default=dict)
    # Empty for an editor's published proposal; "HSDS import services.json (en)" for an import.
    source = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["service", "-number"]
        constraints = [models.UniqueConstraint(fields=["service", "number"], name="directory_version_unique")]


class Translation(models.Model):
    """Where one published translation of one text comes from: the French it was made from (its
    hash, to tell when the French changed since: the translation is then stale, and the text
    itself, to show the translator what changed), who made it and when.

    The translated text itself lives in the content's own multilingual field ({"fr": ..., "ar":
    ...}); this row only vouches for it. ``kind`` names the content (``translations.KINDS``):
    "service", "organization", "location", "closure", "event"; ``object_id`` its primary key.
    """

    id = _uuid_field()
    kind = models.CharField(max_length=20)
    object_id = models.CharField(max_length=40)
    field = models.CharField(max_length=40)
    language = models.CharField(max_length=8)
    source_hash = models.CharField(max_length=64)
    source_text = models.TextField(blank=True)
    translated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    translated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "object_id", "field", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "field", "language"], name="directory_translation_unique"
            )
        ]
        indexes = [models.Index(fields=["language", "kind"], name="dir_translation_lang")]
