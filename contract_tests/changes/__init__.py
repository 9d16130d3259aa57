"""The upstream change gate: load, diff, lint and adopt the relays' OpenAPI documents.

Upstream relays publish their documents as Apifox exports and change them without notice. This
subpackage tells CI, before anything breaks in production, whether a new version breaks existing
clients (``diff``), which contradictions a document carries on its own (``lint``), and takes a new
version into ``specs/`` only after showing what changed (``adopt``).

Each module holds one concept: ``loading`` (files, URLs, Apifox Markdown), ``rules`` (the catalog),
``findings`` (what every check reports), ``diff``, ``lint``, ``report`` (output formats),
``adopt`` and ``sources`` (where each committed document comes from).
"""
