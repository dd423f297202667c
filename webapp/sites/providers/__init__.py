"""The sites: one module per provider, the generic directory/RSS providers, the registry
(`registry.PROVIDER_CLASSES` is the list to add a provider to) and search."""
