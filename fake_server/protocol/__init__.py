"""The API as it travels: one table of its messages and enums, the transcoder that reads request
bodies with it, the error envelope, the service's serialisation and its limits. Pure: nothing
here imports a web framework, and nothing here imports the rest of the fake."""
