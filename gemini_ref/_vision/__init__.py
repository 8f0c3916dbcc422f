"""The vision helpers, one module per concern; ``gemini_ref.vision`` is their public face.

* ``fences``: the JSON inside a Markdown fence (``parse_json``);
* ``boxes``: ``box_2d`` to pixels and back, and every box of an answer;
* ``masks``: segmentation masks decoded, resized and thresholded;
* ``overlays``: boxes, labels and masks drawn over the image;
* ``tokens``: what an image costs in prompt tokens;
* ``checks``: the argument checks they share, and the lazy Pillow check.

The rules each follows, where the guide leaves a case open, are written in ``gemini_ref.vision``.
"""
