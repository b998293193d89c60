"""The register: measures, their history, the catalogue, editing, import and open data."""
