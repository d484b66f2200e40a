"""`make docs`: the sections of README.md and docs/*.md that are written from the sources they
describe (template.yaml, samconfig.toml, openapi.json, the benchmark's results, the code).

A generated section sits between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`; the
text between the markers belongs to the generator, the prose around it to people.
tests/unit/test_docs.py fails while any section differs from what `make docs` would write.
"""
