"""Resource types (discovery, mapping what users type) and the objects commands act on
(manifests, the builder)."""
