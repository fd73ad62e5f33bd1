"""Reporting layer: figures for the CELAC US-China alignment model."""
