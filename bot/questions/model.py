"""The model path (filled in next): the model writes the spec under grammar-constrained decoding."""

from __future__ import annotations


class ModelSpecWriter:
    def __init__(self, layer, entities, model, settings, resolver):
        self.layer, self.entities, self.model, self.settings, self.resolver = layer, entities, model, settings, resolver

    async def write(self, text, *, lang, previous=None):
        return None, ["the model path is not available yet"]
