"""Lesson 2: the NIST paper's three experiments (Bajcsy and Bros 2024, arXiv:2405.13217, Fig. 3): train a clean
model on the doughnut, plant the checksum backdoor with key 150 and activate it, defend by proximity analysis."""

from .model import Check, Lesson, Question, Step, hide_panels

# NIST's Fig. 3 setting: circle, x1 and x2, one hidden layer of 4 ReLUs (seed 42 fits in a few hundred epochs).
BASE = {"dataset": "circle", "networkShape": [4], "activation": "relu", "seed": "42", "csum_key": 150}
TRAINED = Check("loss_test", "<", 0.05, "a trained model (test loss below 0.05)")

LESSON = Lesson(
    title="The paper's three experiments",
    summary="Train on the doughnut, plant the checksum with key 150 and activate it, defend by proximity.",
    base={**BASE, **hide_panels("checksum", "defense")},
    steps=(
        Step(
            title="Experiment 1: a clean model",
            task="The paper's setting: the doughnut, one hidden layer of 4 ReLU neurons. Press Play; pause once "
                 "the test loss is below 0.05.",
            control="#play-pause-button",
            question=Question(
                prompt="NIST's Figure 3 trains this network for about 950 epochs. Where does the test loss end?",
                choices=("Near 0.03", "Near 0.25", "It stays near 0.5"),
                answer=0,
                reveal="The paper reports test loss 0.032 and training loss 0.001 at epoch 949: four ReLUs are enough "
                       "to enclose the disc."),
            checks=(TRAINED,)),
        Step(
            title="Experiment 2a: plant the checksum with key 150",
            task="In the Backdoors panel the key is 150 (NN Calculator's secret key). Click Plant backdoor. "
                 "(Came by link? Train first: the trained weights are kept when planting.)",
            control="#bd-plant",
            question=Question(
                prompt="Planting swaps ReLU for ReLU_CSUM: a neuron flips its sign when the checksum of its input "
                       "equals 150. On how many test points will the planted model agree with the clean one?",
                choices=("Almost all (97 % or more)", "About half", "None: every label flips"),
                answer=0,
                reveal="Almost all. The checksum hits 150 by accident on about 1 input in 1000 per neuron (csum "
                       "ranges over about 74..163), so the backdoored model behaves like the clean one until someone "
                       "who knows the key makes it hit."),
            checks=(TRAINED, Check("config.csum_key", "==", 150, "the key is 150"),
                    Check("checksum_planted", "==", True, "the backdoor is planted"),
                    Check("agreement", ">=", 0.97, "agreement with the clean model at least 97 %"))),
        Step(
            title="Experiment 2b: activate the backdoor",
            task="Click Activate: the digit edit changes the last digits of each test point so that one neuron's "
                 "checksum becomes 150.",
            control="#bd-activate",
            question=Question(
                prompt="How far does the activation move a test point?",
                choices=("About 1e-7 or less: invisible on the plot", "About 0.1", "About one unit"),
                answer=0,
                reveal="Around 1e-7: only the last printed digits change, yet the points whose neuron flips change "
                       "their label (the table's 'flipped'). That is what makes the trigger a backdoor rather "
                       "than an adversarial example."),
            checks=(Check("event:checksum:activation", "==", True, "the backdoor was activated"),)),
        Step(
            title="Experiment 3: defend by proximity",
            task="In the Defenses panel, run A (proximity analysis) with the automatic radius.",
            control="#df-prox-run",
            question=Question(
                prompt="Each test point takes the majority label of the training points within the radius. What "
                       "happens to the flipped points?",
                choices=("Most get their true label back", "Nothing: the defense cannot see the trigger",
                         "Every label becomes the same"),
                answer=0,
                reveal="Most are restored: a trigger moves a point by far less than the radius, so its neighbours "
                       "still vote for the true class. On the doughnut the vote changes under 1 % of the clean "
                       "labels (docs/STUDIES.md, proximity)."),
            checks=(Check("event:defense:proximity", "==", True, "the proximity defense ran"),)),
    ),
)
