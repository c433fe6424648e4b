"""TensorFlow/Keras side: input pipeline, models, training, evaluation, export. Imported only in
the ML runtime, never in QGIS."""
