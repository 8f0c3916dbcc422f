"""The HTTP side of the fake, and the only place that knows Starlette: the adapter between
requests and handlers (:mod:`.adapter`), the responses as the front end sends them
(:mod:`.responses`), and the memo of finished answers (:mod:`.memo`)."""
