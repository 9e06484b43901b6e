"""A citizen with data in every registered personal-data model, made through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.notifications.outbox import outbox_dispatch
from apps.council_crm.services.attachments import attachment_add
from apps.council_crm.services.audit import access_log_record
from apps.council_crm.services.cases import (
    CaseRequest,
    case_add_update,
    case_create,
    case_follow,
    case_transition,
    survey_answer,
)
from apps.council_crm.services.citizens import ContactDetails
from apps.council_crm.services.consent import consent_grant, consent_withdraw
from apps.council_crm.services.intake import report_receive
from apps.council_crm.services.interactions import interaction_log
from tests.factories.cases import POTHOLE_ANSWERS, point_in, report_pothole
from tests.factories.files import jpeg

ZEBEDEE = ContactDetails(
    first_name="Zebedee",
    last_name="Quuxworth",
    email="zebedee.quux@example.com",
    phone="07700 900777",
    address="12 Quill Lane, Fernbridge",
    postcode="QX9 7ZZ",
)
BOB = ContactDetails(
    first_name="Bartholomew",
    last_name="Oddbody",
    email="bart.oddbody@example.com",
    phone="07700 900555",
    address="3 Plinth Row, Fernbridge",
    postcode="QX1 1QQ",
)


def needles(contact: ContactDetails) -> list[str]:
    """Every way the person's details could be written, lower-cased."""
    phone = contact.phone.lower()
    return [
        contact.first_name.lower(),
        contact.last_name.lower(),
        contact.email.lower(),
        phone,
        phone.replace(" ", ""),
        contact.address.lower(),
        contact.postcode.lower(),
    ]


def status(code: str) -> m.CaseStatus:
    return m.CaseStatus.objects.get(code=code)


@dataclass
class Person:
    citizen: m.Citizen
    user: m.User
    cases: list[m.ServiceRequest]


def person_with_everything(
    contact: ContactDetails, *, username: str, other_case: m.ServiceRequest | None = None
) -> Person:
    """Cases (web and phone), notes, a resolution and survey answer, contacts, consents with
    history, an attachment, follows (as a citizen and as a user), messages, access-log and
    admin-log rows, groups and permissions: one row at least in every registered model."""
    officer = m.User.objects.get(username="aisha.okafor")
    admin, _ = m.User.objects.get_or_create(username="privacy-admin", defaults={"is_staff": True})
    name = f"{contact.first_name} {contact.last_name}"

    user = m.User.objects.create_user(
        username=username, email=contact.email, first_name=contact.first_name
    )
    user.last_name = contact.last_name
    user.save()  # a second version of the account
    user.groups.add(Group.objects.get_or_create(name="Residents")[0])
    user.user_permissions.add(Permission.objects.get(codename="view_servicerequest"))
    user.emailaddress_set.create(email=contact.email, verified=True, primary=True)

    web = report_pothole(
        contact=contact,
        description=f"{name} here: the pothole outside {contact.address} burst my tyre. "
        f"Call {contact.phone}.",
    ).case
    citizen = web.citizen
    citizen.user = user
    citizen.age_band = m.AgeBand.AGE_25_44
    citizen.save()  # a second version of the record

    lat, lon = point_in("FE02")
    phone_case = case_create(
        request=CaseRequest(
            channel="phone",
            category="street_light_out",
            description=f"Caller {name} says the light by their house is out",
            answers={
                "column_number": f"Outside {contact.address}, ring {contact.phone}",
                "fault": "Flickering",
            },
            latitude=lat + 0.000123,
            longitude=lon + 0.000456,
            contact=contact,
        ),
        actor=officer,
    ).case

    case_add_update(
        case=web, actor=officer, message=f"Spoke to {name} on {contact.phone}", public=False
    )
    case_add_update(
        case=web, actor=officer, message=f"Thanks {contact.first_name}, we are on it", public=True
    )
    case_transition(case=web, status=status("in_progress"), actor=officer)
    case_transition(
        case=web,
        status=status("completed"),
        actor=officer,
        public_message=f"Filled in, {contact.first_name}",
    )
    web.refresh_from_db()
    survey_answer(token=web.survey.token, score=4, comment=f"Quick work. {name}")

    contact_log = interaction_log(
        citizen=citizen,
        channel="email",
        direction="inbound",
        summary=f"{contact.email} asked about bin days",
        actor=officer,
    )
    contact_log.summary += f" (replied to {contact.email})"
    contact_log.save()  # a second version of the contact

    consent = consent_grant(
        citizen=citizen,
        purpose=m.Consent.Purpose.SHARE_WITH_COUNCILLOR,
        actor=officer,
        channel="phone",
        evidence=f"{name} agreed on the phone ({contact.phone})",
        now=timezone.now() - timedelta(days=1),
    )
    consent_withdraw(consent=consent, actor=officer)  # a second version
    consent_grant(
        citizen=citizen,
        purpose=m.Consent.Purpose.CONTACT_ABOUT_CASE,
        scope=m.Consent.Scope.CASE,
        case=phone_case,
        actor=officer,
        channel="phone",
        evidence=f"Said yes, email {contact.email}",
    )

    attachment_add(
        case=web,
        upload=SimpleUploadedFile(f"{contact.first_name}-tyre.jpg", jpeg()),
        actor=user,
    )

    if other_case is not None:
        case_follow(case=other_case, contact=ContactDetails(email=contact.email))
        case_follow(case=other_case, user=user)  # writes "<name> follows this case"
        case_add_update(case=other_case, actor=officer, message="Crew booked", public=True)

    access_log_record(
        user=officer, obj=citizen, via=f"/desk/citizens/?q={contact.first_name}+{contact.last_name}"
    )
    access_log_record(user=officer, obj=web, via=f"/desk/cases/{web.reference}/")
    LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(m.Citizen),
        object_id=str(citizen.pk),
        object_repr=str(citizen),
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Phone number"]}}]',
    )
    # a report sent from the website that the worker has not logged yet
    report_receive(
        journey_id=f"builder-{username}-waiting",
        category="pothole",
        description=f"{name} again: another pothole near {contact.address}",
        answers=POTHOLE_ANSWERS,
        latitude=point_in("FE02")[0],
        longitude=point_in("FE02")[1],
        contact=contact,
        consent=True,
    )
    # send what is due, so there are sent messages and "sent to ..." timeline lines
    outbox_dispatch(limit=500, now=timezone.now() + timedelta(days=400))
    citizen.refresh_from_db()
    return Person(citizen=citizen, user=user, cases=[web, phone_case])


def bob_with_a_case() -> tuple[m.Citizen, m.ServiceRequest]:
    case = report_pothole(
        division="FE03", contact=BOB, description=f"{BOB.first_name} reports a pothole"
    ).case
    return case.citizen, case
