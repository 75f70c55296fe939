"""Exports for clinicians: FHIR R4 bundle (PDF report to follow)."""
