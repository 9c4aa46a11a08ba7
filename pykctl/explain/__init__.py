"""``kubectl explain``'s documentation of resource types, rendered from OpenAPI v3 schemas."""
