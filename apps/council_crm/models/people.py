"""People: users, citizens, councillors, staff and the teams they work in."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    CASE_OFFICER = "case_officer", _("Case officer")
    TEAM_LEADER = "team_leader", _("Team leader")
    DEPARTMENT_MANAGER = "department_manager", _("Department manager")
    SERVICE_ADMIN = "service_admin", _("Service administrator")
    DPO = "dpo", _("Data protection officer")
    COUNCILLOR = "councillor", _("Councillor")
    SUPPORT_OFFICER = "support_officer", _("Member support officer")


class User(AbstractUser):
    """Anyone who signs in. What they may do follows from `role` and their links below."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.RESIDENT)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_councillor(self) -> bool:
        return self.role == Role.COUNCILLOR

    @property
    def is_staff_member(self) -> bool:
        return self.role in {
            Role.CASE_OFFICER,
            Role.TEAM_LEADER,
            Role.DEPARTMENT_MANAGER,
            Role.SERVICE_ADMIN,
            Role.DPO,
        }


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    FACE_TO_FACE = "face_to_face", _("Face to face")
    SMS = "sms", _("SMS")
    SOCIAL = "social", _("Social media")
    POST = "post", _("Post")
    API = "api", _("API")


class ContactPreference(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    PHONE = "phone", _("Phone")
    POST = "post", _("Post")
    NONE = "none", _("No updates")


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", _("Under 18")
    AGE_18_24 = "18_24", _("18 to 24")
    AGE_25_44 = "25_44", _("25 to 44")
    AGE_45_64 = "45_64", _("45 to 64")
    AGE_65_PLUS = "65_plus", _("65 or over")
    NOT_SAID = "not_said", _("Prefer not to say")


class CitizenQuerySet(models.QuerySet["Citizen"]):
    def active(self) -> CitizenQuerySet:
        return self.filter(anonymised_at__isnull=True)


class Citizen(models.Model):
    """A resident or other customer: one record however they contact the council."""

    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    email = models.EmailField(_("email address"), blank=True, db_index=True)
    phone = models.CharField(_("phone number"), max_length=32, blank=True, db_index=True)
    address = models.TextField(_("address"), blank=True)
    postcode = models.CharField(_("postcode"), max_length=16, blank=True)
    preferred_channel = models.CharField(
        _("preferred channel for updates"),
        max_length=16,
        choices=ContactPreference.choices,
        default=ContactPreference.EMAIL,
    )
    preferred_language = models.CharField(_("preferred language"), max_length=8, default="en")
    age_band = models.CharField(_("age band"), max_length=16, choices=AgeBand.choices, blank=True)
    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="citizen"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    # history is read by the citizen's id: its copies of email, phone and user need no index
    history = HistoricalRecords(no_db_index=["email", "phone", "user"])
    objects = CitizenQuerySet.as_manager()

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        if self.anonymised_at:
            return str(_("Anonymised citizen"))
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email or self.phone or str(_("No details given"))


class Department(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"), blank=True)
    manager = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_departments"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="teams")
    email = models.EmailField(_("email address"), blank=True)
    is_triage = models.BooleanField(
        _("triage team"), default=False, help_text=_("Receives cases no routing rule matches.")
    )
    active = models.BooleanField(_("active"), default=True)
    # Position of the round-robin assignment strategy; advanced under a row lock.
    round_robin_cursor = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class StaffMember(models.Model):
    """A council officer who works cases in the desk."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff_profile")
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    teams: models.ManyToManyField[Team, TeamMembership] = models.ManyToManyField(
        Team, through="TeamMembership", related_name="staff"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def __str__(self) -> str:
        return str(self.user)


class TeamMembership(models.Model):
    class TeamRole(models.TextChoices):
        MEMBER = "member", _("Member")
        LEADER = "leader", _("Team leader")

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=TeamRole.choices, default="member")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["staff", "team"], name="unique_team_membership")
        ]
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")

    def __str__(self) -> str:
        return f"{self.staff} – {self.team} ({self.get_role_display()})"


class Councillor(models.Model):
    """An elected member: a user with divisions, a party and a term of office."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="councillor")
    title = models.CharField(_("title"), max_length=32, default="Cllr")
    party = models.CharField(_("party"), max_length=100, blank=True)
    divisions = models.ManyToManyField(
        "council_crm.Division", related_name="councillors", blank=True
    )
    term_start = models.DateField(_("term starts"), null=True, blank=True)
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[divisions])

    class Meta:
        verbose_name = _("councillor")
        verbose_name_plural = _("councillors")

    def __str__(self) -> str:
        return f"{self.title} {self.user.get_full_name()}".strip()


class MemberSupportDelegation(models.Model):
    """A member support officer may act for a councillor while the delegation is active."""

    officer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="delegations")
    councillor = models.ForeignKey(Councillor, on_delete=models.CASCADE, related_name="delegations")
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["officer", "councillor"], name="unique_delegation")
        ]
        verbose_name = _("member support delegation")
        verbose_name_plural = _("member support delegations")

    def __str__(self) -> str:
        return f"{self.officer} → {self.councillor}"
