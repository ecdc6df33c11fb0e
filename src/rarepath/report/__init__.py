"""Reports: clinician (evidence, sources, verdict table), family (plain language), JSON, PDF, terminal."""

from rarepath.report.render import render_clinician_html, render_family_html, write_reports

__all__ = ["render_clinician_html", "render_family_html", "write_reports"]
