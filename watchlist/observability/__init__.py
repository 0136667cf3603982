"""What an operator sees of the running API: request ids, structured logs, Prometheus
metrics and error reports (docs/operating/observability.md)."""
