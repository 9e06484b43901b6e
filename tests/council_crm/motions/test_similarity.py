"""Avoiding duplication: a reworded motion finds its earlier twin; unrelated ones are not shown."""

from __future__ import annotations

from apps.council_crm import similarity
from apps.council_crm.selectors.motions import motions_similar

from .conftest import days_ago

EARLIER_TITLE = "Weekly food waste collections for every household"
EARLIER_TEXT = (
    "This Council notes that a third of what residents put in their general rubbish bin is "
    "food waste, and that the Environment Act requires councils to collect food waste every "
    "week. This Council resolves to introduce separate weekly food waste collections across "
    "Fernshire, to give every household a kitchen caddy and compostable liners, and to report "
    "to Cabinet on the cost of the new collection vehicles."
)
REWORDED_TITLE = "Separate food waste collected weekly"
REWORDED_TEXT = (
    "Council notes the legal duty to collect food waste from every home each week. Much of the "
    "rubbish sent to landfill is food. We ask the Cabinet Member to bring in a weekly food waste "
    "collection, supply kitchen caddies to households and set out the cost of vehicles."
)
UNRELATED = [
    (
        "Library opening hours in Stannick",
        "This Council notes the proposal to cut opening hours at Stannick Library and resolves "
        "to keep the library open five days a week.",
    ),
    (
        "Speed limits near Pellingham Primary School",
        "This Council resolves to introduce a 20 mph limit outside Pellingham Primary School "
        "and to install a speed indicator device on Pellingham Road.",
    ),
]


def test_stemming_and_stop_words():
    assert similarity.stem("flooding") == similarity.stem("floods") == "flood"
    assert similarity.stem("libraries") == "library"
    assert similarity.terms("This Council notes the fly-tipping in lay-bys") == ["flytip", "layby"]


def test_a_reworded_motion_scores_high_and_an_unrelated_one_low():
    twin = similarity.cosine(
        similarity.profile(EARLIER_TITLE, EARLIER_TEXT),
        similarity.profile(REWORDED_TITLE, REWORDED_TEXT),
    )
    assert twin >= similarity.THRESHOLD
    for title, text in UNRELATED:
        other = similarity.cosine(
            similarity.profile(EARLIER_TITLE, EARLIER_TEXT), similarity.profile(title, text)
        )
        assert other < similarity.THRESHOLD / 2, title


def test_a_reworded_motion_finds_its_earlier_twin_in_the_register(make_motion):
    earlier = make_motion(title=EARLIER_TITLE, text=EARLIER_TEXT, submitted_on=days_ago(700))
    unrelated = [make_motion(title=t, text=x, submitted_on=days_ago(600)) for t, x in UNRELATED]

    found = motions_similar(title=REWORDED_TITLE, text=REWORDED_TEXT)

    references = [item.motion.reference for item in found]
    assert earlier.reference in references
    for motion in unrelated:
        assert motion.reference not in references
    # only motions about food waste or recycling are suggested from the demo register too
    for item in found:
        words = (item.motion.title + item.motion.text).lower()
        assert "food" in words or "waste" in words, item.motion.title


def test_the_demo_registers_recurring_issues_are_found_and_others_are_not(demo_site):
    found = motions_similar(
        title="Potholes on rural roads",
        text="This Council notes the number of potholes on rural roads after the winter and "
        "resolves to carry out permanent repairs rather than patching.",
    )
    assert found, "the demo register has motions on potholes"
    for item in found:
        assert "potholes-and-road-repairs" in {t.slug for t in item.motion.topics.all()}
    assert not motions_similar(
        title="Twinning with a town in Brittany",
        text="This Council resolves to explore a town twinning link with a town in Brittany.",
    )


def test_checking_a_draft_on_the_desk_shows_earlier_motions_with_outcome_and_actions(
    staff_client, passed_motion, open_action
):
    from apps.council_crm import models as m

    response = staff_client.post(
        "/desk/motions/new/",
        {
            "title": "A zebra crossing for Fernbridge Academy",
            "text": "This Council resolves to install a zebra crossing on Station Road outside "
            "Fernbridge Academy, where there have been near misses.",
            "proposer": m.Councillor.objects.first().pk,
            "action": "check",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Similar motions already in the register" in page
    assert passed_motion.title in page
    assert "Passed" in page
    assert "1 follow-up action" in page
    assert not m.Motion.objects.filter(title="A zebra crossing for Fernbridge Academy").exists()
