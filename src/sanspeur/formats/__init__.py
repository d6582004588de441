"""Date and number formats for languages Django does not ship (FORMAT_MODULE_PATH)."""
