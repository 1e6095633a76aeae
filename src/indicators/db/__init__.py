"""The database: the connection object (opening, cursors, transactions, registration,
errors), schema and migrations, catalogue reads, batches and the audit log."""
