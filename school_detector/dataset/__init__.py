"""Training data: reading labels, cutting chips, writing the dataset folder."""
