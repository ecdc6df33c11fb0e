"""interpret stage of the rarepath pipeline."""
