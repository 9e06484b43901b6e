"""Geography: electoral divisions and the gazetteer of streets and places."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Division(models.Model):
    """An electoral division. Its boundary is a GeoJSON Polygon or MultiPolygon in WGS84."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    boundary = models.JSONField(_("boundary (GeoJSON geometry)"))
    # Derived from the boundary by services.geography.division_save; kept for cheap map
    # framing and bounding-box pre-filters.
    min_lat = models.FloatField(editable=False, default=0)
    min_lon = models.FloatField(editable=False, default=0)
    max_lat = models.FloatField(editable=False, default=0)
    max_lon = models.FloatField(editable=False, default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("electoral division")
        verbose_name_plural = _("electoral divisions")

    def __str__(self) -> str:
        return self.name


class GazetteerEntry(models.Model):
    """A street, place or landmark residents can search for instead of using a map."""

    class Kind(models.TextChoices):
        STREET = "street", _("Street")
        PLACE = "place", _("Place")
        LANDMARK = "landmark", _("Landmark")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    locality = models.CharField(_("locality"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=16, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    division = models.ForeignKey(
        Division, null=True, blank=True, on_delete=models.SET_NULL, related_name="places"
    )

    class Meta:
        ordering = ["name", "locality"]
        constraints = [
            models.UniqueConstraint(fields=["name", "locality"], name="unique_gazetteer_name")
        ]
        indexes = [models.Index(fields=["name"])]
        verbose_name = _("gazetteer entry")
        verbose_name_plural = _("gazetteer")

    def __str__(self) -> str:
        return f"{self.name}, {self.locality}" if self.locality else self.name
