"""Care-pathway carbon calculator: the engine. Pages lay out, this package computes."""

__version__ = "0.1.0"
