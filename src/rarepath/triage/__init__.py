"""triage stage of the rarepath pipeline."""
