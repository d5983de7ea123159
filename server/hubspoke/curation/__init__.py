"""The curator's tools: a skeleton for a new fact (scaffold), validation on every save (watch) and a
local server that swaps in each good build (reload). CURATING.md shows them together."""
