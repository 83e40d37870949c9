"""ActivityStreams 2 in and out: pure builders (models and values in, JSON-ready dicts out)
and parsers (other servers' JSON in, typed values out), without a session or the network."""
