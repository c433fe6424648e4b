"""The names an exported model answers to: its signatures, inputs and outputs.

They are the contract between the export (ml.export), the engines that run a model (TensorFlow,
ONNX Runtime), the servers and every client (REST, gRPC, TF Serving). TF Serving's clients see
them too, so they never change; this is the one place they are spelled.
"""

INPUT_BYTES = "image_bytes"  # serving_default: encoded PNG/JPEG chips (ML-Enabler style {"b64": …})
INPUT_UINT8 = "images"  # predict_uint8, locate_uint8: (N, H, W, 3) uint8 pixels
OUTPUT = "school_probability"
LOCATION = "school_location"  # (x, y) fractions of the chip from its west and north edges
PREDICT_UINT8 = "predict_uint8"
LOCATE, LOCATE_UINT8 = "locate", "locate_uint8"  # scores and where the school is
