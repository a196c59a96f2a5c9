"""Equivalence checks for hierarchical regression model variants."""
