"""Tests that break the tool on purpose: crashes, faults, hostile input, properties."""
