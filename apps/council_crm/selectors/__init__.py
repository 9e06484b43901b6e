"""Reads a role may see. Every interface starts from these."""
