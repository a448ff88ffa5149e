"""Inspect: what a SCORM package holds and whether LMSs will import it (`lcmodules inspect`)."""

from lcmodules.inspect.package import Finding, Report, inspect_package
from lcmodules.inspect.safezip import SafeZip, UnsafeZip

__all__ = ["Finding", "Report", "SafeZip", "UnsafeZip", "inspect_package"]
