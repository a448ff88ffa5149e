"""Inspect: what a SCORM package or a cartridge holds and whether LMSs will import it (`lcmodules inspect`)."""
