"""Antisense oligonucleotides: variant amenability, exon-skipping reading frame, oligo design."""
