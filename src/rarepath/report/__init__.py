"""report stage of the rarepath pipeline."""
