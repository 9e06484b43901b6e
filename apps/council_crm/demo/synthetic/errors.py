"""Synthetic cases: the one error the generator raises."""


class SyntheticDataError(ValueError):
    """The site's reference data is not enough to generate cases (load the site first)."""
