"""Vigil: case system for police Professional Standards and anti-corruption teams."""

__version__ = "0.1.0"
