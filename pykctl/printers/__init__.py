"""Output in kubectl's exact formats: Go-compatible JSON and YAML, jsonpath, tables."""
