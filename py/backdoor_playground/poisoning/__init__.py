"""The data-poisoning backdoor (BadNets, Gu, Dolan-Gavitt, Garg 2017), in the plane: a share of the training points
is moved into a small trigger region and relabelled to the target class, and the model is trained on that; the
baseline the classic defenses were designed for (attack.py registers it with the Attack protocol, attacks.py)."""
