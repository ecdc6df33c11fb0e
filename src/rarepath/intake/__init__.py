"""intake stage of the rarepath pipeline."""
