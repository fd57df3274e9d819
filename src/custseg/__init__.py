"""Customer-segmentation warehouse: CLI, data generator and quality checks."""

__version__ = "0.1.0"
