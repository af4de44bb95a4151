"""The browser worker's face: one method table (api.METHODS), thin handlers per topic, the generated page tables, the
in-browser benchmark."""
