"""Synthetic cases: the realism knobs (seasons, hours, channel mix, shares) and word lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from apps.council_crm.models import (
    AgeBand,
    CaseEvent,
    Channel,
    Consent,
    Interaction,
    ServiceRequest,
    StateCategory,
)

# --------------------------------------------------------------------------------------
# Realism knobs
# --------------------------------------------------------------------------------------

#: Seasonal shape by month (January first); 1.0 is an average month.
SEASONS: dict[str, tuple[float, ...]] = {
    "flat": (1.0,) * 12,
    "summer": (0.25, 0.25, 0.45, 0.9, 1.7, 2.1, 2.1, 1.8, 1.0, 0.55, 0.35, 0.25),
    "summer_slight": (0.8, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.3, 1.1, 1.0, 0.85, 0.9),
    "winter": (1.8, 1.9, 1.6, 1.2, 0.85, 0.7, 0.65, 0.65, 0.7, 0.9, 1.25, 1.6),
    "winter_slight": (1.3, 1.3, 1.1, 1.0, 0.9, 0.85, 0.85, 0.85, 0.9, 1.0, 1.1, 1.2),
    "dark": (1.4, 1.2, 1.0, 0.8, 0.65, 0.55, 0.6, 0.7, 0.95, 1.25, 1.45, 1.5),
    "flytip": (0.9, 0.9, 1.0, 1.05, 1.1, 1.2, 1.3, 1.3, 1.1, 1.0, 0.9, 0.85),
    "ice": (2.6, 2.4, 1.0, 0.3, 0.1, 0.05, 0.05, 0.05, 0.1, 0.4, 1.4, 2.4),
    "wet": (1.4, 1.3, 1.1, 0.9, 0.8, 0.8, 0.9, 0.9, 1.0, 1.2, 1.4, 1.4),
    "bins": (1.0,) * 12,
}
WEEKDAY_FACTOR = (1.25, 1.15, 1.1, 1.05, 1.0, 0.6, 0.5)  # Monday first: weekday > weekend
BANK_HOLIDAY_FACTOR = 0.55

# Hour-of-day shapes: residents report any time (evenings too), offices answer 9 to 5.
HOURS_ANY: tuple[float, ...] = (0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 1.5, 2.2, 2.5, 2.4, 2.2)
HOURS_ANY += (2.1, 2.1, 2.0, 1.9, 1.8, 1.7, 1.7, 1.8, 1.6, 1.2, 0.8, 0.4)
HOURS_OFFICE: tuple[float, ...] = (
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0.3,
    2.5,
    2.6,
    2.4,
    1.8,
    2.0,
    2.3,
    2.1,
    1.6,
    0.3,
)
HOURS_OFFICE += (0, 0, 0, 0, 0, 0)

CHANNEL_MIX: tuple[tuple[str, float], ...] = (
    (Channel.WEB, 55),
    (Channel.PHONE, 25),
    (Channel.EMAIL, 10),
    (Channel.FACE_TO_FACE, 3),
    (Channel.API, 2.5),
    (Channel.SOCIAL, 2),
    (Channel.SMS, 1.5),
    (Channel.POST, 1),
)
OFFICE_CHANNELS = frozenset(str(c.value) for c in (Channel.PHONE, Channel.FACE_TO_FACE))
CONTACT_CHANNELS = frozenset(
    str(c.value)
    for c in (
        Channel.PHONE,
        Channel.EMAIL,
        Channel.FACE_TO_FACE,
        Channel.POST,
        Channel.SMS,
        Channel.SOCIAL,
    )
)

ANONYMOUS_SHARE = 0.10  # of cases whose category allows anonymous reports
COUNCILLOR_SHARE = 0.08  # raised by a councillor on behalf of a constituent
CONSENT_SHARE = 0.15  # of citizens: share my cases with my councillor
HOTSPOT_SHARE = 0.30  # of cases scattered round a category's hotspots
HOTSPOTS_PER_CATEGORY = 3
HOTSPOT_SIGMA_M = 150.0
LATE_SHARE = 0.03  # resolved after the service standard
STUCK_SHARE = 0.02  # recent cases still waiting (parts, contractors)
PAUSED_SHARE = 0.15  # of open cases, waiting on the resident or a third party
PICKED_UP_SHARE = 0.7  # of team-queue cases an officer takes on (the rest stay with the team)
CLOSED_BY_OFFICER_SHARE = 0.15  # the rest close automatically after the reopen window
FOLLOW_UP_SHARE = 0.08  # resolved cases where an officer calls or writes back
METRES_PER_DEGREE = 111_320.0

# Plain strings for the hot loop (enum member access is comparatively slow).
_NEW, _OPEN, _PAUSED, _RESOLVED, _CLOSED = (
    str(s.value)
    for s in (
        StateCategory.NEW,
        StateCategory.OPEN,
        StateCategory.PAUSED,
        StateCategory.RESOLVED,
        StateCategory.CLOSED,
    )
)
_CREATED, _ASSIGNED, _STATUS, _SLA = (
    str(k.value)
    for k in (
        CaseEvent.Kind.CREATED,
        CaseEvent.Kind.ASSIGNED,
        CaseEvent.Kind.STATUS,
        CaseEvent.Kind.SLA,
    )
)
_WEB, _PHONE, _EMAIL = str(Channel.WEB.value), str(Channel.PHONE.value), str(Channel.EMAIL.value)
_INBOUND = str(Interaction.Direction.INBOUND.value)
_OUTBOUND = str(Interaction.Direction.OUTBOUND.value)
_SHARE_WITH_COUNCILLOR = str(Consent.Purpose.SHARE_WITH_COUNCILLOR.value)
_ALL_CASES, _ONE_CASE = str(Consent.Scope.ALL_CASES.value), str(Consent.Scope.CASE.value)
_RAISED_AS_COUNCILLOR = str(ServiceRequest.RaisedAs.COUNCILLOR.value)
_SECOND = timedelta(seconds=1)
_FIVE_MINUTES = timedelta(minutes=5)
_HOUR = timedelta(hours=1)
_STUCK_AGE = timedelta(days=180)


@dataclass(frozen=True)
class Family:
    """What kind of issue a category is, recognised from its code and name."""

    key: str
    keywords: tuple[str, ...]
    weight: float
    season: str
    descriptions: tuple[str, ...]
    resolution: str
    answer_text: tuple[str, ...] = ("See description.",)


# Checked in order; a keyword matches at the start of a word of the category's code or name.
FAMILIES: tuple[Family, ...] = (
    Family(
        "complaint",
        ("complaint", "compliment", "feedback"),
        1.0,
        "flat",
        (
            "I phoned twice about {street} and nobody called me back as promised.",
            "The crew left {street} in a mess after the works last week.",
            "I am unhappy with how my earlier report about {locality} was handled.",
        ),
        "We have looked into your complaint and written to you with our findings.",
        ("Staff conduct", "Delay", "Quality of work"),
    ),
    Family(
        "asb",
        ("asb", "antisocial", "anti social", "nuisance", "harassment"),
        1.0,
        "summer_slight",
        (
            "Groups gathering at {street} late at night, shouting and leaving bottles.",
            "Repeated nuisance from a property on {street}, {locality}.",
            "Motorbikes being ridden on the footpaths around {locality} in the evenings.",
        ),
        "Our community safety team has visited and is working with the police.",
        ("Most evenings", "Weekends", "Every night this week"),
    ),
    Family(
        "damp",
        ("damp", "mould", "condensation"),
        2.0,
        "winter",
        (
            "Black mould spreading on the bedroom walls at my home on {street}.",
            "Damp coming through the wall in the back room; the wallpaper is peeling.",
            "Condensation and mould round the windows of my flat on {street}, {locality}.",
        ),
        "A surveyor has visited and the mould treatment and repairs are booked in.",
    ),
    Family(
        "housing",
        ("housing", "council home", "repair"),
        3.0,
        "winter_slight",
        (
            "Kitchen tap leaking constantly at my council home on {street}.",
            "No hot water since the weekend at {street}, {locality}.",
            "Back door will not lock properly; the frame is rotten.",
        ),
        "The repair has been completed by our housing repairs team.",
    ),
    Family(
        "bin_repair",
        ("damaged bin", "missing bin", "new bin", "replacement bin"),
        3.0,
        "flat",
        (
            "The lid of my wheelie bin snapped off during collection on {street}.",
            "My recycling bin went missing after collection day on {street}.",
        ),
        "A replacement bin has been delivered.",
    ),
    Family(
        "fallen_tree",
        ("fallen", "dangerous tree"),
        1.5,
        "wet",
        (
            "Tree down across the road on {street} after the wind last night.",
            "Large branch hanging over the pavement on {street}, {locality}, looks ready to fall.",
        ),
        "The tree has been made safe and the road cleared.",
    ),
    Family(
        "garden",
        ("rubbish in", "untidy", "overgrown garden"),
        2.0,
        "summer_slight",
        (
            "Rubbish piling up in the front garden of a house on {street}; rats seen.",
            "The garden of the empty house on {street} is full of bags and old furniture.",
        ),
        "An enforcement officer has visited and served notice on the owner.",
    ),
    Family(
        "litter",
        ("litter", "street clean", "sweeping", "overflowing"),
        4.0,
        "summer_slight",
        (
            "Litter bin on {street} is overflowing and rubbish is blowing about.",
            "A lot of litter along {street}, especially near the bus stop.",
            "Broken glass on the pavement on {street}, {locality}.",
        ),
        "The street cleansing crew has cleared the area.",
    ),
    Family(
        "bins",
        ("missed", "bin", "collection", "recycling", "refuse", "waste"),
        10.0,
        "bins",
        (
            "My bin on {street} was not emptied on collection day.",
            "Recycling not collected on {street}; the whole row was missed.",
            "The lorry skipped {street} again this week.",
            "Garden waste bin missed at my address on {street}, {locality}.",
        ),
        "The crew has returned and emptied the bin. Sorry it was missed.",
        ("Left out by 7am", "Next to the gate", "At the kerb as usual"),
    ),
    Family(
        "flytip",
        ("fly", "dumped", "dumping"),
        8.0,
        "flytip",
        (
            "Fly-tipped mattresses and bags on {street}, {locality}.",
            "Builders' rubble dumped in the lay-by on {street}.",
            "Someone has dumped a fridge and furniture at the end of {street}.",
            "Black bags dumped by the gate on {street} since the weekend.",
        ),
        "The waste has been cleared and the site checked for evidence.",
        ("Household bags", "Builders' rubble", "Furniture"),
    ),
    Family(
        "pothole",
        ("pothole", "road surface", "road defect", "carriageway"),
        10.0,
        "winter",
        (
            "Deep pothole on {street} near {locality}, cars swerving round it.",
            "Several potholes along {street}; one is getting bigger every week.",
            "Pothole at the junction of {street}, nearly came off my bike.",
            "Large hole in the road on {street} filled with water.",
        ),
        "Our highways team has inspected and repaired the pothole.",
        ("In the middle of the road", "Near the kerb", "At the junction"),
    ),
    Family(
        "pavement",
        ("pavement", "footway", "footpath", "kerb", "dropped kerb"),
        4.0,
        "winter_slight",
        (
            "Raised paving slab on {street} is a trip hazard.",
            "Broken kerb stones outside the shops on {street}.",
            "Footpath on {street} is badly cracked and uneven.",
        ),
        "The footway has been made safe and repaired.",
    ),
    Family(
        "gritting",
        ("grit", "gritting", "ice", "icy", "snow", "salt"),
        2.0,
        "ice",
        (
            "{street} has not been gritted and is like an ice rink.",
            "The grit bin on {street} is empty.",
            "Hill on {street}, {locality} is icy and cars are sliding.",
        ),
        "The road has been treated and the grit bin refilled.",
    ),
    Family(
        "lighting_damage",
        ("damaged column", "damaged street light", "exposed wire", "knocked down"),
        1.5,
        "winter_slight",
        (
            "Lamp post on {street} has been hit by a car and is leaning over the pavement.",
            "The door on the street light column on {street} is missing and wires are showing.",
            "Street light bracket hanging loose over {street}, {locality}.",
        ),
        "The column has been made safe and repaired.",
    ),
    Family(
        "lighting",
        ("light", "lamp", "streetlight"),
        7.0,
        "dark",
        (
            "Street light outside my house on {street} has been out for a week.",
            "Lamp post on {street} flickering on and off all night.",
            "Three street lights out along {street}, {locality}; very dark walking home.",
            "Street light on {street} stays on all day.",
        ),
        "Our lighting contractor has repaired the street light.",
        ("Not working at all", "Flickering", "On during the day"),
    ),
    Family(
        "grass",
        ("grass", "verge", "mowing", "weed"),
        4.0,
        "summer",
        (
            "Grass on the verges of {street} is knee high and blocking the view at the junction.",
            "The green on {street}, {locality} has not been cut this year.",
            "Weeds growing through the pavement all along {street}.",
        ),
        "The grounds maintenance team has cut the grass.",
    ),
    Family(
        "trees",
        ("tree", "hedge", "overhang", "vegetation", "branch"),
        3.0,
        "summer",
        (
            "Overhanging branches on {street} are blocking the footpath.",
            "Hedge on {street} is so overgrown we have to walk in the road.",
            "A large branch looks ready to fall on {street}, {locality}.",
        ),
        "The trees team has cut back the vegetation.",
    ),
    Family(
        "graffiti",
        ("graffiti", "fly posting"),
        3.0,
        "flat",
        (
            "Graffiti sprayed on the bus shelter on {street}.",
            "Offensive graffiti on the wall by the shops on {street}, {locality}.",
        ),
        "The graffiti has been removed.",
        ("Offensive", "Not offensive"),
    ),
    Family(
        "dog",
        ("dog",),
        3.0,
        "flat",
        (
            "Dog fouling all along the path on {street}.",
            "Dog mess outside the school on {street}, {locality}, every morning.",
        ),
        "A warden has patrolled the area and the path has been cleaned.",
    ),
    Family(
        "drain",
        ("drain", "gully", "flood", "flooding"),
        3.0,
        "wet",
        (
            "Blocked drain on {street}; the road floods every time it rains.",
            "Gully on {street} is full of leaves and water is pooling.",
        ),
        "The gully has been cleared and is draining again.",
    ),
    Family(
        "vehicle",
        ("abandoned", "vehicle", "car"),
        2.0,
        "flat",
        (
            "Car with flat tyres parked on {street} for over a month.",
            "Van with no tax left on {street}, {locality}.",
        ),
        "The vehicle has been inspected and removed.",
    ),
    Family(
        "noise",
        ("noise",),
        2.0,
        "summer_slight",
        (
            "Loud music from a house on {street} until 3am most weekends.",
            "Constant barking from a property on {street}.",
        ),
        "An officer has investigated and written to the occupier.",
    ),
    Family(
        "signs",
        ("sign", "bollard", "barrier"),
        2.0,
        "flat",
        (
            "Road sign on {street} has been knocked over.",
            "Bollard damaged at the end of {street}, {locality}.",
        ),
        "The sign has been repaired.",
    ),
)
DEFAULT_FAMILY = Family(
    "other",
    (),
    3.0,
    "flat",
    (
        "Problem on {street}, {locality}; please could someone take a look.",
        "Reporting an issue on {street} that has been there for a while.",
    ),
    "This has been dealt with. Thank you for letting us know.",
)

FIRST_NAMES_GB = (
    "Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Thomas", "William",
    "James", "David", "Daniel", "Samuel", "Joseph", "Michael", "Peter", "Paul", "Richard",
    "Amelia", "Olivia", "Isla", "Emily", "Poppy", "Ava", "Isabella", "Jessica", "Lily",
    "Sophie", "Grace", "Chloe", "Margaret", "Susan", "Helen", "Sarah", "Rachel", "Ruth",
    "Priya", "Aisha", "Mohammed", "Ali", "Anil", "Yusuf", "Gareth", "Rhys", "Sian", "Megan",
    "Ewan", "Fiona", "Iain", "Morag",
)  # fmt: skip
FIRST_NAMES_IE = (
    "Seán", "Conor", "Cian", "Darragh", "Oisín", "Ciarán", "Pádraig", "Eoin", "Fionn",
    "Liam", "Cillian", "Ronan", "Declan", "Niall", "Aoife", "Saoirse", "Niamh", "Siobhán",
    "Caoimhe", "Róisín", "Gráinne", "Orla", "Clodagh", "Sinéad", "Áine", "Eimear", "Ciara",
    "Maeve", "Bríd", "Deirdre",
)  # fmt: skip
LAST_NAMES_GB = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
    "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood",
    "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Khan", "Begum",
    "Campbell", "Stewart", "MacDonald", "Price", "Bennett",
)  # fmt: skip
LAST_NAMES_IE = (
    "Murphy", "Kelly", "O'Sullivan", "Walsh", "O'Brien", "Byrne", "Ryan", "O'Connor",
    "O'Neill", "O'Reilly", "Doyle", "McCarthy", "Gallagher", "O'Doherty", "Kennedy",
    "Lynch", "Murray", "Quinn", "Moore", "McLoughlin", "O'Carroll", "Connolly", "Daly",
    "Brennan", "Fitzgerald", "Nolan", "Ní Bhriain", "Mac Giolla", "Keane", "Whelan",
)  # fmt: skip
# Free-text answers, chosen by words in the question's label.
TEXT_ANSWERS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("lamp post", "column"), ("{n}", "SL{n:04d}", "Can't see one")),
    (("reference",), ("{ref}", "I don't have it")),
    (
        ("get into", "access"),
        (
            "Any weekday morning",
            "Tuesdays or Thursdays after 2pm",
            "Please ring first, I work shifts",
        ),
    ),
    (
        ("when",),
        ("Weekday evenings after 9pm", "Early mornings before 8am", "Most weekends", "School run"),
    ),
    (
        ("put things right", "would you like"),
        ("An apology and the job done properly", "An explanation of what went wrong"),
    ),
)
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "example.co.uk")
AGE_BANDS: tuple[tuple[str, float], ...] = (
    ("", 30),
    (AgeBand.AGE_18_24, 6),
    (AgeBand.AGE_25_44, 24),
    (AgeBand.AGE_45_64, 24),
    (AgeBand.AGE_65_PLUS, 13),
    (AgeBand.NOT_SAID, 3),
)
_ASCII = str.maketrans("áéíóúÁÉÍÓÚ", "aeiouAEIOU")
