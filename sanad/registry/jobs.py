"""Job kinds of the registry (imported by RegistryConfig.ready to register them)."""

from sanad.registry.imports import jobs as imports_jobs  # noqa: F401
