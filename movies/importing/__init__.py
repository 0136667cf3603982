"""Importing films from other services' exports, and from this site's own (`engine` says what
an import does; `formats` what it reads; `sources` how it reads files safely)."""

from .engine import ON_ERROR, Report, import_films
from .sources import Refused, Upload

__all__ = ["ON_ERROR", "Refused", "Report", "Upload", "import_films"]
