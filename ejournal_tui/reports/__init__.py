"""Printouts and reports. No Textual here."""
