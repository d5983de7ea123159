"""Linking with open data (DESIGN.md, 'Linking'): the VoID linksets and licences of the links graph,
`hubspoke link refresh` (SPARQLWrapper queries saved as snapshots with PROV records), `link check`
(snapshots against the curated graph), the imported-facts graph, and the exports (dumps, dyad-years)."""
