"""A one-broker Kafka in the cluster, speaking the Event Hubs contract (SASL_SSL, PLAIN)."""
