"""The audit log pages: events read as sentences with names, filters, pages, and the
verification button. The chain itself (append, verify) is `trainer.audit`, which every
feature writes to; this package reads it with the names other features know."""
