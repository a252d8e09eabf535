"""Tests of the training loop: DocBin export, config, spaCy training, trained suggesters."""
