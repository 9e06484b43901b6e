"""Every write: one function per use case, keyword-only arguments, one transaction."""
