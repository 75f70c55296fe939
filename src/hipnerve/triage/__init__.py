"""Triage: five levels from red-flag rules and likely conditions (pure, monotone)."""

from hipnerve.triage.rules import TriageReason, TriageResult, fired_rules, triage

__all__ = ["TriageReason", "TriageResult", "fired_rules", "triage"]
