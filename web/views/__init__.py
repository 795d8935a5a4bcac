"""The manager pages, one module per section of the top navigation."""
