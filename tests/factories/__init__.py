"""Test data builders. Reference data comes from the real site loader (the demo_site fixture)."""
