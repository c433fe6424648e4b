"""Review outcomes: exporting decisions, and feeding them back into training data."""
