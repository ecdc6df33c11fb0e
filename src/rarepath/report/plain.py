"""Plain-language wording for the family report: short sentences, everyday words, no internal terms.

The family report never prints the engine's technical detail (HGVS, editor windows, database states). It
speaks to the reader: the patient's age decides "you" (18 or older) or "your child"; an unknown age reads
"the patient". Why an option got its verdict is told by a sentence chosen from the reason rules that agree
with the verdict (`RULE_PLAIN` gives each rule its direction), never by a reason that argues the opposite.
Every template string may use `{subj}`, `{Subj}`, `{poss}`, `{Poss}`, `{obj}` and `{gene}`.
"""

from __future__ import annotations

#: Age from which the report speaks to the patient directly.
ADULT_AGE_YEARS = 18.0

MODALITY_PLAIN = {
    "gene_replacement": ("Gene replacement",
                         "A working copy of the gene is carried into cells by an empty, harmless virus shell."),
    "gene_addition": ("Gene addition",
                      "Some of {poss} own blood stem cells are taken out. A working gene is added in a lab. "
                      "Then the cells are given back."),
    "gene_silencing": ("Gene silencing", "A medicine turns down a gene whose protein does harm."),
    "genome_editing": ("Gene editing",
                       "Tools such as CRISPR change the DNA itself, in the body or in cells taken out and given back."),
    "splice_modulation": ("Splice-switching medicine",
                          "A medicine changes how the gene's message is cut and joined. Then cells can make a better "
                          "protein."),
    "drug": ("Medicines", "Tablets, shots or drips. Some are medicines already used for other illnesses."),
}

VERDICT_PLAIN = {
    "recommended": "a strong option to talk about with {poss} care team",
    "possible": "may be worth asking about; more tests or a clinical study may be needed",
    "not_suitable": "unlikely to help in this case",
    "contraindicated": "could do harm in this illness and should be avoided",
}

#: What a verdict means when no specific reason fits it.
VERDICT_WHY = {
    "recommended": "The checks on the gene change and on known medicines support it.",
    "possible": "Some checks support it. Others are still open.",
    "not_suitable": "The checks found reasons it does not fit this case.",
    "contraindicated": "It could make the illness worse.",
}

MECHANISM_PLAIN = {
    "loss_of_function": "The body makes too little of a working protein, or none.",
    "haploinsufficiency": "One of the two copies of the gene does not work. One working copy is not enough.",
    "dominant_negative": "The changed protein gets in the way of the normal one.",
    "gain_of_function": "The changed protein does harm or works too hard. Adding more of the gene would not help.",
    "unknown": "It is not yet clear how the gene change causes the illness. So some options cannot be judged yet.",
}

#: The gene change in everyday words, by variant kind (`{exons}` is filled for exon changes).
VARIANT_PLAIN = {
    "missense": "a one-letter change that swaps one building block of the protein",
    "nonsense": "a change that makes the cell stop reading the gene too early",
    "frameshift": "a small gain or loss of letters that garbles the rest of the gene",
    "splice": "a change that upsets how the gene's message is cut and joined",
    "deep_intronic": "a change in a part of the gene that is not used directly, but that upsets how the "
                     "message is cut and joined",
    "inframe_indel": "a small gain or loss of letters that changes a short part of the protein",
    "synonymous": "a one-letter change that does not swap a building block of the protein",
    "exon_deletion": "a missing piece of the gene (the parts called {exons})",
    "exon_duplication": "an extra copy of a piece of the gene (the parts called {exons})",
    "gene_deletion": "a missing copy of the whole gene",
    "gene_duplication": "an extra copy of the whole gene",
    "repeat_expansion": "a short piece of the gene that is repeated too many times",
    "inversion": "a piece of the gene that is turned the wrong way round",
    "insertion": "extra DNA put into the gene",
    "start_loss": "a change at the spot where the cell starts to read the gene",
    "stop_loss": "a change at the spot where the cell stops reading the gene",
    "truncating": "a change that stops the gene from working",
    "loss_of_function": "a change that stops the gene from working",
    "structural": "a large change in how the DNA is laid out",
    "unknown": "a change in the gene",
}

ZYGOSITY_PLAIN = {
    "homozygous": "It is in both copies of the gene.",
    "compound_heterozygous": "There are two different changes, one in each copy of the gene.",
    "heterozygous": "It is in one of the two copies of the gene.",
    "hemizygous": "It is in the only copy of the gene that {subj} {have}.",
    "mosaic": "It is in only some of the body's cells.",
    "unknown": "",
}

#: Reason rule -> (direction, sentence). "+" supports an option, "-" argues against it, "~" is a caution
#: worth telling with a positive verdict. Rules not listed are not told to the family (the clinician report
#: has them all).
RULE_PLAIN: dict[str, tuple[str, str]] = {
    "approved_for_indication": ("+", "A medicine of this kind is approved for this illness."),
    "approved_pending_eligibility": ("+", "An approved medicine exists, once some checks are done."),
    "product_indication_matches": ("+", "A named medicine is made for this exact illness."),
    "product_available": ("+", "A medicine of this kind has been made for this illness, in a study or for one "
                               "person."),
    "loss_of_function_replacement": ("+", "The body makes too little of the protein, so a working copy of the "
                                          "gene fits."),
    "fits_scAAV": ("+", "The gene is small enough to fit in the virus shell that carries it."),
    "fits_ssAAV": ("+", "The gene is small enough to fit in the virus shell that carries it."),
    "shortened_transgene_fits": ("+", "The gene is too big for the virus shell, but a shorter working form fits."),
    "shortened_transgene_at_limit": ("+", "The gene is too big for the virus shell, but a shorter form just fits."),
    "tissue_vector": ("+", "The carrier can reach the part of the body that needs it."),
    "topical_vector": ("+", "The treatment can be put on the skin, or on skin cells grown in a lab."),
    "silencing_gain_of_function": ("+", "The changed protein does harm, so turning the gene down fits."),
    "reading_frame": ("+", "Skipping one more piece of the gene's message can let cells make a shorter protein "
                           "that still works."),
    "alternative_target": ("+", "It works through a helper gene and can ease the illness."),
    "product_on_other_target": ("+", "It works through a helper gene and can ease the illness."),
    "ex_vivo_cells": ("+", "The cells that need help can be taken out, fixed in a lab and given back."),
    "cryptic_splice_blocking": ("+", "The change makes a wrong cut in the gene's message. A made-to-measure "
                                     "medicine could block it."),
    "variant_editable": ("+", "The exact change is one that gene editing tools could fix, in principle."),
    "knockout_toxic_gene": ("+", "Switching off the gene in the liver lowers the harmful protein."),
    "aso.up.target": ("+", "There is a known way to raise the working message from the gene."),
    "pseudoexon_excision": ("+", "The change sits in a part of the gene that could be cut out."),
    "conditioning_unknown": ("~", "It needs strong chemotherapy first. It is not yet known if {subj} can have it."),
    "dosage_sensitive_gene": ("~", "Too much of this protein also does harm, so the dose needs tight control."),
    "partial_knockdown_only": ("~", "The medicine must only lower the protein part of the way."),
    "gene_loss_causes_disease": ("~", "The gene is still needed, so it must not be switched off fully."),
    "silencing_loss_of_function": ("-", "The body already makes too little of the protein. Turning the gene down "
                                        "would make this worse."),
    "replacement_wrong_mechanism": ("-", "The changed protein does harm. Adding a normal copy would not remove it."),
    "addition_wrong_mechanism": ("-", "The changed protein does harm. Adding a normal copy would not remove it."),
    "exceeds_aav_capacity": ("-", "The gene is too big to fit in the virus shells used to carry genes."),
    "no_addition_route": ("-", "There is no proven way yet to add a gene to the cells that need it."),
    "no_drug_found": ("-", "We found no medicine of this kind for this illness."),
    "no_splice_target": ("-", "The change does not act on how the message is cut and joined. No other target "
                              "is known."),
    "aso.splice.not_splicing": ("-", "The change does not act on how the gene's message is cut and joined."),
    "aso.skip.mechanism": ("-", "Changing how the message is cut would not remove the harmful protein."),
    "aso.up.mechanism": ("-", "Making more of the protein would not help in this illness."),
    "variant_not_editable": ("-", "This kind of change cannot be fixed by editing one spot in the DNA."),
    "editing_delivery": ("-", "Editing tools cannot yet reach the part of the body that needs them."),
    "silencing_delivery": ("-", "These medicines cannot yet reach the part of the body that needs them."),
    "conditioning_not_tolerated": ("-", "It needs strong chemotherapy first, which {subj} cannot have."),
    "pre_existing_aav_antibodies": ("-", "{Poss} body already has antibodies to the virus shell. They would "
                                         "block it."),
    "patient_not_eligible": ("-", "The medicine's label does not cover {obj}, for example because of age or "
                                  "test results."),
    "product_for_other_disease": ("-", "The known medicines of this kind treat a different illness."),
    "product_mechanism_mismatch": ("-", "The known medicines of this kind treat a different form of the illness."),
    "tissue_needs_ex_vivo": ("-", "The cells that need help keep dividing, so a gene carried by a virus shell "
                                  "would be lost."),
    "no_single_disease_gene": ("-", "No single disease gene was found, so options that work on one gene cannot "
                                    "be judged."),
}

ROUTE_PLAIN = {
    "intravenous": "a drip into a vein",
    "intrathecal": "a shot into the fluid around the spine",
    "subretinal": "surgery to place the medicine at the back of the eye",
    "intraparenchymal": "a shot into the brain during surgery",
    "subcutaneous": "a shot under the skin",
    "oral": "by mouth",
    "topical": "a gel put on the skin",
    "hsc_transplant": "{poss} own fixed blood stem cells, given back after strong chemotherapy",
    "intracerebroventricular": "a drip into the fluid spaces of the brain through a small device",
    "intraputaminal infusion": "a drip into a part of the brain during surgery",
    "intramuscular": "a shot into a muscle",
    "intravitreal": "a shot into the eye",
}

#: Regulators as a family knows them.
AGENCY_PLAIN = {"FDA": "the USA", "EMA": "Europe", "MHRA": "the UK", "PMDA": "Japan", "HC": "Canada",
                "NMPA": "China", "TGA": "Australia", "Swissmedic": "Switzerland"}

FAMILY_QUESTIONS = (
    "Which product would be used, and could it change {poss} DNA in places where it should not?",
    "What check-ups would be needed after treatment, how often, and for how many years?",
    "How would the team notice and treat a reaction of the body's defences to the treatment?",
)

NO_GENE_MESSAGE = ("No single disease gene was found for this case. Treatments that work on one gene cannot be "
                   "judged. Ask {poss} care team which tests could find the cause.")


def person(age_years: float | None) -> dict[str, str]:
    """Words for the reader: an adult patient is "you", a child "your child", an unknown age "the patient"."""
    if age_years is not None and age_years >= ADULT_AGE_YEARS:
        w = {"subj": "you", "poss": "your", "obj": "you", "have": "have"}
    elif age_years is not None:
        w = {"subj": "your child", "poss": "your child's", "obj": "your child", "have": "has"}
    else:
        w = {"subj": "the patient", "poss": "the patient's", "obj": "the patient", "have": "has"}
    return {**w, "Subj": w["subj"][:1].upper() + w["subj"][1:], "Poss": w["poss"][:1].upper() + w["poss"][1:]}


def say(template: str, who: dict[str, str], **extra: str) -> str:
    """Fill a wording template for this reader."""
    return template.format(**who, **extra)
