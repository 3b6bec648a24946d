"""Rendering and output: PDF and PDF/X, images, colour, QR codes, and the atomic write of every file."""
