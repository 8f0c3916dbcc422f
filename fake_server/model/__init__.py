"""The stand-in for the model and the service behind it: the catalogue, the checks the service
makes on values, and the answers (fixtures or synthetic, shaped, cut into stream chunks), with
their tokens, images and vision results. Pure: nothing here imports a web framework."""
