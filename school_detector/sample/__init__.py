"""A synthetic but imagery-like sample scene with known schools, for the demo and tests."""
