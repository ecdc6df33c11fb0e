"""Antisense oligonucleotides: oligo design (variant amenability and the reading frame are rarepath.interpret's)."""
