"""RQ jobs: thin functions that load by id, call a service of `webapp`, and report."""
