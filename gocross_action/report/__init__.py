"""The report (``model``) and its pure renderers: text, json, markdown, sarif."""
