"""The video hosts: one module per host, resolved through `registry.resolve_player`."""
