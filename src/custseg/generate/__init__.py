"""Synthetic raw data for the customer-segmentation warehouse.

``generate(out_dir, customers, seed=42, fmt="parquet", as_of=..., messy=False)``
writes one file per raw-contract table plus ``_manifest.json`` (see generator.py).
"""

from .generator import CHUNK_CUSTOMERS, GENERATOR_VERSION, MANIFEST, generate, persona_assignment

__all__ = ["CHUNK_CUSTOMERS", "GENERATOR_VERSION", "MANIFEST", "generate", "persona_assignment"]
