"""Jobs: the CLI and scheduler that wire collectors to the warehouse and publish."""
