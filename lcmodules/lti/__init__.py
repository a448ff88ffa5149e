"""The LTI 1.3 tool: released modules served to Brightspace, Canvas and Moodle (`lcmodules[lti]`)."""
