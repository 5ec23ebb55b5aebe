"""Statutory deadlines: the catalog with legal bases, counting rules, explanations, and per-case records."""
