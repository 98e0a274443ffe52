"""Tandem's conversation engine: platform-agnostic, storage-agnostic."""
