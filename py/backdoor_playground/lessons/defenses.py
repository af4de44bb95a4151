"""Lesson 4: defenses and where they fail. The proximity vote (NN Calculator's "Robust to Backdoor") assumes labels
are constant within the radius; docs/STUDIES.md's proximity study measures what it costs where that fails (spiral,
interleaved grids)."""

from .model import Check, Lesson, Question, Step, hide_panels
from .paper import BASE

ACTIVATED = Check("event:checksum:activation", "==", True, "the backdoor was activated")
DEFENDED = Check("event:defense:proximity", "==", True, "the proximity defense ran")
ATTACK = ("Train for 300 epochs or more (Play), click Plant backdoor (a new data set keeps a planted one), "
          "then Activate; ")

LESSON = Lesson(
    title="Defenses and where they fail",
    summary="The proximity vote restores triggered points on the doughnut, and breaks on spirals and grids.",
    base={**BASE, **hide_panels("checksum", "defense")},
    steps=(
        Step(
            title="Attack the doughnut",
            task=ATTACK + "read how many test points flipped.",
            control="#bd-activate",
            question=Question(
                prompt="The digit edit tries every test point. Will every point flip?",
                choices=("Yes, all of them", "Many, not all: some points have no neuron whose checksum can be "
                         "edited to 150, or the flip does not change the label"),
                answer=1,
                reveal="Many, not all: a point flips only when a neuron's checksum can be edited to the key and "
                       "negating that neuron changes the output's sign."),
            checks=(Check("checksum_planted", "==", True, "the backdoor is planted"), ACTIVATED)),
        Step(
            title="Proximity on the doughnut",
            task="Run A (proximity analysis) with the automatic radius in the Defenses panel.",
            control="#df-prox-run",
            question=Question(
                prompt="Besides restoring flipped points, the vote may change clean labels (false positives). How "
                       "many on the doughnut?",
                choices=("Under 1 %", "About 10 %", "About a quarter"),
                answer=0,
                reveal="Under 1 % (0.4 % over 3 seeds, none made wrong): where the classes are smooth at the scale "
                       "of the training points the vote is nearly free."),
            checks=(DEFENDED,)),
        Step(
            title="Spirals break the assumption",
            task="This link switches to the spiral. " + ATTACK + "then run A (proximity) with the automatic radius.",
            control="#df-prox-run",
            state={"dataset": "spiral"},
            question=Question(
                prompt="NN Calculator's automatic radius on the spiral is about 3.5, wider than an arm. What happens "
                       "to the clean labels?",
                choices=("Almost none change", "About a quarter change, and about 10 % of right labels become wrong",
                         "All become one class"),
                answer=1,
                reveal="26 % of clean labels change and 9.7 % of right ones become wrong (accuracy after 69.5 %). "
                       "Any radius from 0.35 to 1 would keep the cost under 2 %: the radius, not the vote, breaks."),
            checks=(Check("config.dataset", "==", "spiral", "the spiral"), ACTIVATED, DEFENDED)),
        Step(
            title="Interleaved grids: no radius works",
            task="This link switches to two interleaved grids. " + ATTACK + "then pick r_sep as the radius and run A.",
            control="#df-radius-r_sep",
            state={"dataset": "csum-grid"},
            question=Question(
                prompt="r_sep is half the smallest distance between the classes. What does it do here?",
                choices=("It restores most flips", "It is so small (about 0.02) that almost no training point is "
                         "within it: the defense does nothing"),
                answer=1,
                reveal="r_sep covers 0.3 % of the points and restores 0.2 % of the flips; every larger radius makes "
                       "3-21 % of right labels wrong. On data whose labels change at the scale of the points, "
                       "proximity has no good radius."),
            checks=(Check("config.dataset", "==", "csum-grid", "the interleaved grids"), ACTIVATED, DEFENDED)),
        Step(
            title="What the defense assumed",
            task="Read the metrics table: accuracy after, attack success after, false positives.",
            control="#df-metrics-card",
            question=Question(
                prompt="Which assumption does the proximity defense rest on?",
                choices=("That labels are constant within the radius around each point (a Lipschitz, smooth "
                         "problem)", "That the attacker uses key 150", "That the network has one hidden layer"),
                answer=0,
                reveal="It rests on smoothness: a trigger moves a point by far less than the radius, and the "
                       "neighbours vote for the true class. Where the classes interleave at that scale, the vote "
                       "itself is wrong.")),
    ),
)
