"""The web interface: thin routes that turn form posts into core calls and results into HTML."""
