"""Preview: a module or SCORM package in an LMS-like page on 127.0.0.1, with scorm-again as the LMS."""
