"""Validate the catalogue from the shell: `python -m measures.register.catalogue`."""

from measures.register.catalogue import load_catalogue, validate

problems = validate(load_catalogue())
print("\n".join(problems) or "catalogus in orde")
raise SystemExit(1 if problems else 0)
