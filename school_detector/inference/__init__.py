"""Inference without TensorFlow: ONNX Runtime runs an exported model's ONNX copy."""
