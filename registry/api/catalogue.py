"""Public reads of the JSON API: agencies and services (verified data)."""
