"""The test kit, in the words of GoToSocial's testrig and microblog.pub's factories:

- `remote`: people elsewhere (`RemoteActor`, `BOB`) with fixed key pairs, and requests signed as
  their servers sign them (`RemoteActor.signed`, `sign_like_remote`), POST and GET;
- `network`: `FakeNetwork`, the other servers, in place of the app's HTTP client: it serves
  actors, WebFinger and documents, and records what we fetch and POST;
- `federation`: the app on the fake network (`use_network`, `federation_on`), activities POSTed
  to our inboxes (`deliver`), signed GETs (`fetch_as`), and the job queue run until empty
  (`run_queue`, `worker_for`);
- `as2`: activities and notes as other servers send them, as plain dicts;
- `waiting`: waiting for something with a deadline (`wait_until`), not a sleep;
- `databases`: a migrated database per test process (and per pytest-xdist worker).

Fixtures that use these (`app`, `database`, `network`, …) are in tests/conftest.py.
"""
