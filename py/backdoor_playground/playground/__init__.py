"""playground"""
