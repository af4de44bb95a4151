"""Lesson 5: the games (docs/GAMES.md). Which one is backdoored? Two models, one clean, one backdoored; queries, a
guess, and the distinguishing advantage |2 P(correct) - 1| with its interval. Written against the Games panel's
contract: #games-panel with data-game and data-rounds, controls #games-mode, #games-backdoor, #games-queries,
#games-whitebox, #games-start, #games-guess-a, #games-guess-b, #games-verdict, #games-player, #games-run-player.
Your rounds count on data-rounds; the automated players' do not: the last step reads the players' progress
(#games-player-progress data-state "done") and their rows in the score table (#games-scores, data-key player-N)."""

from .model import Check, Lesson, Question, Step, hide_panels

PLAYED = Check("games_rounds_played", ">=", 1, "a round played")
PLAYER_RAN = Check("games_player_runs", ">=", 1, "an automated player's run finished")
PLAYER_SCORED = Check("games_player_score", ">=", 0, "its score is in the table")

LESSON = Lesson(
    title="The games: can you tell, can you trigger?",
    summary="Play the distinguisher: poisoning, checksum and signature, black-box and white-box, against baselines.",
    base={"dataset": "circle", **hide_panels("games")},
    steps=(
        Step(
            title="Poisoning: which one is backdoored?",
            task="In the Games panel pick 'Which one is backdoored?' and the backdoor 'poisoning', then New round. "
                 "Click a plot to query points (both models answer), then say which one is backdoored.",
            control="#games-backdoor",
            question=Question(
                prompt="One model was retrained on data with a poisoned corner. Can you tell which?",
                choices=("Yes, after a few queries in the trigger region", "No better than a coin flip"),
                answer=0,
                reveal="Yes: poisoning changes the model on a whole region, so a few queries there show the models "
                       "disagree, and the one that disagrees with the training data is the backdoored one."),
            checks=(PLAYED,)),
        Step(
            title="Checksum, black-box",
            task="Set the backdoor to 'checksum:decimal', leave white-box off, then New round and guess.",
            control="#games-start",
            question=Question(
                prompt="Only the two models' outputs to your queries: can you tell the checksum model?",
                choices=("Easily", "Rarely: only a query that happens to hit the key shows a difference"),
                answer=1,
                reveal="Rarely: the models differ only where a neuron's checksum hits the key by accident (about "
                       "0.1 % per neuron), so most query budgets see no difference and you guess."),
            checks=(PLAYED,)),
        Step(
            title="Checksum, white-box",
            task="Tick white-box: you see both networks with their operators and weights. New round, then guess.",
            control="#games-whitebox",
            question=Question(
                prompt="With the networks in view, can you tell?",
                choices=("Yes: one has ReLU_CSUM operators", "No: the weights are identical"),
                answer=0,
                reveal="Yes, every time: the weights match but the operator is not standard. Undetectability is a "
                       "property of what the observer may see."),
            checks=(PLAYED,)),
        Step(
            title="Signature, black-box",
            task="Set the backdoor to 'signature:toy-rsa', white-box off, and play a few rounds. Read the verdict.",
            control="#games-verdict",
            question=Question(
                prompt="What will the verdict say after a few rounds?",
                choices=("No evidence you can tell them apart", "You can tell them apart"),
                answer=0,
                reveal="No evidence: without a valid signature the two models agree on every input you can find, so "
                       "your guesses are coin flips and the advantage interval contains 0."),
            checks=(PLAYED,)),
        Step(
            title="Automated players",
            task="Back to 'checksum:decimal': pick an automated player (random, boundary, probe, whitebox) and run "
                 "it; its advantage appears in the scores beside yours.",
            control="#games-run-player",
            question=Question(
                prompt="Against the checksum with white-box access, which baseline wins?",
                choices=("random", "boundary", "probe", "whitebox"),
                answer=3,
                reveal="The whitebox player: it reads the operator names, so its advantage is near 1. The black-box "
                       "players stay near 0 against the checksum and the signature alike, and near 1 against "
                       "poisoning."),
            checks=(PLAYER_RAN, PLAYER_SCORED)),
    ),
)
