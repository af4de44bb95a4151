"""Backdoor 2 (Goldwasser, Kim, Vaikuntanathan, Zamir 2022): a signature verifier and selector beside the classifier,
its schemes, carriers and key-less forgeries; attack.py registers it with the Attack protocol (attacks.py)."""
