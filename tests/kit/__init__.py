"""What the tests share, as importable modules (the conftests only turn some into fixtures).

``fakes``: the fake in process and the requests tests send it. ``wire``: every HTTP exchange a
fake served, as its socket saw it. ``node``: the JS SDK drivers of ``tests/js`` run against a
fake. ``files``: media made here and the checks of a File and of an upload's chunks.
``guide_answers``: the guide's text examples, as every client should send them and as the
shipped fixtures answer them. ``stand_ins``: MockTransport handlers standing in for the service
in the client's own tests (a recorder, an upload service run by the protocol's model).
``fuzz``: hostile requests for every route, and what an answer to one must be. ``serving``:
``gemini-fake serve`` in a process of its own, on a free port. ``schemas``: schemas at the
edge of a budget.

The guide's Python examples (``conformance/_guide.py``) and the resumable upload protocol
(``conformance/_uploads.py``) live with the conformance suite, which runs them too.
"""
