"""Clinical-trial pre-screening: which registered trials could this patient enter, and what stands in the way.

- `records`: ClinicalTrials.gov records (API v2 JSON and the retired XML) as typed `Trial` objects.
- `store`: the trials kept in rarepath's database (`$RAREPATH_HOME/kb.sqlite` or `--db`), one row per NCT id.
- `criteria`: eligibility text split into inclusion/exclusion items; common gene-therapy criteria
  (anti-AAV antibodies per serotype and titre, prior gene/cell therapy, conditioning, ambulation,
  ventilation, organ function, age, genotype) recognised and settled against the patient where known.
- `match`: structured filters + relevance to the case's disease and gene + the triage's verdicts ->
  `eligible`, `possibly_eligible` (open items) or `not_eligible` (the failing criterion).
- `fetch`: the public API v2 client (paging, retries, polite rate limit), used only with `--network`.

Decision support, not medical advice: the trial team decides eligibility.
"""
