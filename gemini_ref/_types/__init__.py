"""The API's types, one module per family; ``gemini_ref.types`` is their public face.

* ``base``: what every type shares (the ``extra`` dict of keys it does not model, one
  ``__repr__`` and ``__eq__``);
* ``enums``: the API's enumerations, as ``StrEnum`` constants;
* ``contents``: what a prompt is made of (``Content``, ``Part``, ``Blob`` …);
* ``configs``: what calls take besides their contents (every ``…Config``, ``Tool``,
  ``HttpOptions``);
* ``responses``: what ``generate_content`` and ``count_tokens`` answer;
* ``embeddings``: what ``embed_content`` takes and answers;
* ``models`` and ``files``: the two resources, with their listings.
"""
