"""The rules of buurtnet: who may do what, and what it changes. Knows nothing of HTTP or JSON-LD."""
