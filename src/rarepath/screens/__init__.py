"""Treatment screens on patient-derived models: plates, QC, normalisation, dose-response, ranking."""
