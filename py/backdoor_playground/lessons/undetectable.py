"""Lesson 3: checksum versus signature (Goldwasser, Kim, Vaikuntanathan, Zamir 2022, "Planting Undetectable
Backdoors"): the checksum fires by accident and its operator shows; the signature fires only on a valid signature,
so finding any input where the models differ is a forgery: black-box undetectable."""

from .model import Check, Lesson, Question, Step, hide_panels
from .paper import BASE, TRAINED

LESSON = Lesson(
    title="Checksum versus signature",
    summary="Why the signature backdoor is undetectable to someone who only queries the model, and the checksum not.",
    base={**BASE, **hide_panels("checksum", "signature")},
    steps=(
        Step(
            title="Plant the checksum and look at the network",
            task="Train (Play until the test loss is below 0.05), then click Plant backdoor and look at the hidden "
                 "neurons' operator in the network diagram.",
            control="#bd-plant",
            question=Question(
                prompt="Someone receives the planted model file. What gives the backdoor away to them?",
                choices=("Nothing: the weights are the clean ones",
                         "The operator: ReLU_CSUM instead of ReLU", "The test accuracy drops to 50 %"),
                answer=1,
                reveal="The weights are unchanged, but the operator is not a standard one: anyone who reads the "
                       "model sees ReLU_CSUM. The checksum backdoor is white-box detectable."),
            checks=(TRAINED, Check("checksum_planted", "==", True, "the checksum backdoor is planted"))),
        Step(
            title="Accidental triggers",
            task="Read the planted model's numbers in the Backdoors panel: the agreement with the clean model and "
                 "how often the checksum fires by accident.",
            control="#bd-stats",
            question=Question(
                prompt="Could someone who only queries the model (black-box) find inputs where it differs from the "
                       "clean one?",
                choices=("Yes: the checksum hits the key by accident, about once per thousand inputs per neuron",
                         "No: that would need the key"),
                answer=0,
                reveal="Yes. The decimal checksum of a pre-activation lands on 150 about 0.1 % of the time, so "
                       "random queries find differing inputs; the flipped cells even speckle the decision region. "
                       "The checksum is black-box detectable too."),
            checks=(Check("checksum_planted", "==", True, "the checksum backdoor is planted"),)),
        Step(
            title="Swap in the signature backdoor",
            task="One backdoor at a time: click Remove in the Backdoors panel, then Install in the Signature panel "
                 "(toy RSA: small keys, so that forging it is possible below).",
            control="#sg-install",
            question=Question(
                prompt="The block changes the output only when the input's low-order bits carry a valid signature "
                       "of the rest. How many test labels change on install?",
                choices=("None", "About 0.1 %, like the checksum", "About half"),
                answer=0,
                reveal="None: no honest point carries a valid signature, so the backdoored model agrees with the "
                       "clean one everywhere you can reach without the secret key."),
            checks=(Check("event:signature:installed", "==", True, "the signature block is installed"),)),
        Step(
            title="Activate with the secret key",
            task="Click Activate in the Signature panel: the key signs each test point and writes the signature "
                 "into its low-order bits.",
            control="#sg-activate",
            question=Question(
                prompt="Will the activated points look different on the plot?",
                choices=("No: the signature sits in bits far below what the plot shows",
                         "Yes: they jump to the other class's region"),
                answer=0,
                reveal="No. The points move by a tiny amount (the carrier lattice's low bits), yet the label flips "
                       "to the target: a valid signature is the only way in."),
            checks=(Check("event:signature:activation", "==", True, "the signature backdoor was activated"),)),
        Step(
            title="Try without the key",
            task="Run the forger in the Signature panel: it tries to make a trigger without the secret key, and "
                 "extrapolates its cost to real key sizes.",
            control="#sg-forge-run",
            question=Question(
                prompt="Which is right?",
                choices=("The toy key falls, RSA-2048 or Ed25519 would not: a trigger without the key is a forged "
                         "signature", "Forging is easy at any key size", "Forging is impossible even for the toy key"),
                answer=0,
                reveal="An input where the backdoored and clean models differ is a valid (message, signature) pair, "
                       "so finding one is forging a signature: infeasible at honest key sizes. That is Goldwasser "
                       "et al.'s black-box undetectability."),
            checks=(Check("event:signature:forgery", "==", True, "the forger ran"),)),
        Step(
            title="Undetectable to whom?",
            task="Look at the signature block in the network diagram, then answer.",
            control="#signature-panel",
            question=Question(
                prompt="Which backdoor is undetectable to someone who only queries the model?",
                choices=("The checksum", "The signature", "Both", "Neither"),
                answer=1,
                reveal="The signature: queries cannot find a differing input without forging. White-box both are "
                       "visible here (the ReLU_CSUM operator; the verifier block around the network). A backdoor "
                       "undetectable even white-box (Goldwasser et al.'s random-features one) is an open problem "
                       "for the 'non-replicable and white-box' combination.")),
    ),
)
