"""ActivityPub: discovery, actors, inboxes, signatures, safe fetching and delivery.

Federation turns incoming activities into core calls and core changes into outgoing activities;
it registers its job handlers with the worker's registry. (Built in the federation issue.)
"""
