"""nistcalc"""
