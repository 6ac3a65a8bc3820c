"""What the tests and the benchmarks share: the live stack, the provider fakes, PostgreSQL
databases, logins, test inputs (graphs, documents, seeded knowledge bases) and the one
polling helper. Nothing here is a test; bench/ imports only from this package."""
