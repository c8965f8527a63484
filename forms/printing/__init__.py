"""Printouts: render with xhtml2pdf, issue once per document version, sign, verify."""
