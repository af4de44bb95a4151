"""Lesson 1: training basics, after TensorFlow Playground's classroom exercises (a link sets the problem, the
student predicts, trains and reads the loss): depth, feature engineering, the learning rate, overfitting."""

from .model import Check, Lesson, Question, Step, hide_panels

LESSON = Lesson(
    title="Training basics",
    summary="TensorFlow Playground's classic exercises: hidden layers, features, learning rate, overfitting.",
    base={"dataset": "circle", **hide_panels()},
    steps=(
        Step(
            title="Train a network on the doughnut",
            task="Press Play (the round button at the top) and watch the test loss under Output. Pause when it "
                 "stops falling.",
            control="#play-pause-button",
            state={"networkShape": [4, 2], "seed": "lesson1"},
            question=Question(
                prompt="Inputs x1 and x2, two hidden layers of 4 and 2 tanh neurons: can this network separate the "
                       "inner disc from the ring around it?",
                choices=("Yes: the test loss falls below 0.1", "No: the test loss stays near 0.5",
                         "Only with more data"),
                answer=0,
                reveal="Yes. Each hidden neuron draws one straight line; the next layer combines the lines into a "
                       "closed boundary around the disc. Hover a neuron to see its line."),
            checks=(Check("loss_test", "<", 0.1, "test loss below 0.1"),)),
        Step(
            title="Take the hidden layers away",
            task="This link removed every hidden layer: the output reads x1 and x2 directly. Press Play and train "
                 "for at least 100 epochs.",
            control="#play-pause-button",
            state={"networkShape": [], "seed": "lesson1"},
            question=Question(
                prompt="With no hidden layer (a linear model on x1, x2), what will the test loss do?",
                choices=("Fall below 0.1 as before", "Stay high: no straight line splits a disc from a ring",
                         "Diverge to infinity"),
                answer=1,
                reveal="It stays high (about 0.5 and above). A model with no hidden layer is one straight line through "
                       "the plane, and the doughnut is not linearly separable."),
            checks=(Check("epoch", ">=", 100, "at least 100 epochs trained"),)),
        Step(
            title="Engineer the features instead",
            task="Still no hidden layer, but this link also feeds x1² and x2² (the lit feature squares on the "
                 "left of the network). Press Play.",
            control='#network [data-id="xSquared"]',
            state={"networkShape": [], "seed": "lesson1", "xSquared": True, "ySquared": True},
            question=Question(
                prompt="Can the linear model fit the doughnut now that it sees x1² and x2²?",
                choices=("Yes: x1² + x2² is the squared radius, and a threshold on it is the circle",
                         "No: it still has no hidden layer"),
                answer=0,
                reveal="Yes. In the features (x1², x2²) the two classes are split by a straight line: the right "
                       "features do the hidden layer's job."),
            checks=(Check("loss_test", "<", 0.1, "test loss below 0.1"),)),
        Step(
            title="Turn the learning rate up",
            task="This link sets the learning rate to 3 (the Learning rate menu at the top). Press Play for at "
                 "least 50 epochs and watch the loss curve.",
            control="#learningRate",
            state={"networkShape": [4, 2], "seed": "lesson1", "learningRate": 3.0},
            question=Question(
                prompt="A hundred times the default learning rate: what happens to training?",
                choices=("It converges a hundred times faster",
                         "The steps overshoot: the loss jumps around or stalls instead of settling",
                         "Nothing changes"),
                answer=1,
                reveal="The steps are too big: each update jumps across the minimum, so the loss jumps or the "
                       "neurons saturate and stall. Try 0.03 again to compare."),
            checks=(Check("epoch", ">=", 50, "at least 50 epochs trained"),)),
        Step(
            title="Overfit on few, noisy points",
            task="This link keeps 10 % of the points for training, adds 50 % noise and a large network (8, 8, 8) on "
                 "xor. Press Play for at least 300 epochs; tick Show test data.",
            control="#percTrainData",
            state={"dataset": "xor", "networkShape": [8, 8, 8], "noise": 50, "percTrainData": 10,
                   "seed": "lesson1", "learningRate": 0.03},
            question=Question(
                prompt="After 300 epochs, which loss will be lower?",
                choices=("The training loss", "The test loss", "They stay equal"),
                answer=0,
                reveal="The training loss. With 50 training points and many weights the network learns the noise "
                       "of those points; the test loss, on points it never saw, stays higher: overfitting. "
                       "Regularization (L2) or more data narrow the gap."),
            checks=(Check("epoch", ">=", 300, "at least 300 epochs trained"),)),
    ),
)
