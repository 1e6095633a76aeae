"""The store: schema and migrations, the connection, catalogue reads, batches."""
