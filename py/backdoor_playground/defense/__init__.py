"""Defenses on an attacked test set (attacked.py): NN Calculator's proximity analysis done right, randomized smoothing
(Cohen et al. 2019), their statistics and the one metrics table (run.py)."""
