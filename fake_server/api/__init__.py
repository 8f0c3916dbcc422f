"""The Gemini API's resources, one handler module each, beside the route table
(:mod:`.routes`) that maps paths to them."""
