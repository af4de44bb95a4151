"""checksum"""
