"""Plain-language wording for the family report: every technical term is explained where it is used."""

from __future__ import annotations

MODALITY_PLAIN = {
    "gene_replacement": ("Gene replacement",
                         "giving the body a working copy of the gene, carried into cells by an emptied, harmless "
                         "virus shell (a 'vector', often AAV)"),
    "gene_addition": ("Gene addition",
                      "adding a working gene to the patient's own cells, usually stem cells taken from the blood, "
                      "corrected in a laboratory and given back"),
    "gene_silencing": ("Gene silencing",
                       "medicines that turn down a gene whose product is harmful (short pieces of RNA-like "
                       "material called ASOs or siRNAs)"),
    "genome_editing": ("Genome editing",
                       "tools such as CRISPR that change the DNA itself, either inside the body or in cells "
                       "taken out and given back"),
    "splice_modulation": ("Splice-switching medicines",
                          "short RNA-like medicines (ASOs) or small molecules that change how the gene's message is "
                          "cut and joined, so that the cell can make a working or better protein"),
    "drug": ("Medicines", "tablets, injections or infusions, including enzyme replacement and repurposed drugs "
             "already approved for other uses"),
}

VERDICT_PLAIN = {
    "recommended": "a strong option to discuss with your care team",
    "possible": "may be worth discussing; more checks or a clinical study may be needed",
    "not_suitable": "unlikely to help in this situation",
    "contraindicated": "could be harmful for this condition and should be avoided",
}

MECHANISM_PLAIN = {
    "loss_of_function": "the gene change means the body makes too little of a working protein (or none)",
    "haploinsufficiency": "one of the two copies of the gene does not work, and one working copy is not enough",
    "dominant_negative": "the changed protein gets in the way of the normal protein",
    "gain_of_function": "the changed protein is harmful or overactive, so adding more of the gene would not help",
    "unknown": "it is not yet clear how the gene change causes the illness, so some options cannot be judged yet",
}

ROUTE_PLAIN = {
    "intravenous": "a drip into a vein",
    "intrathecal": "an injection into the fluid around the spinal cord",
    "subretinal": "surgery to place the medicine under the retina at the back of the eye",
    "intraparenchymal": "an injection directly into the brain during surgery",
    "subcutaneous": "an injection under the skin",
    "oral": "by mouth",
    "topical": "a gel or treatment put on the skin",
    "hsc_transplant": "the patient's own corrected blood stem cells given back after strong chemotherapy",
    "intracerebroventricular": "an infusion into the fluid spaces of the brain through a small device",
    "intraputaminal infusion": "an infusion into a part of the brain during surgery",
    "intramuscular": "an injection into a muscle",
    "intravitreal": "an injection into the eye",
}

FAMILY_QUESTIONS = (
    "Which product or vector would be used, and could it change my child's DNA in unwanted places?",
    "What check-ups would be needed after treatment, how often, and for how many years?",
    "How would the team notice and treat a reaction of the immune system to the treatment?",
)
