"""Free pages, news and events: editorial content in English and French."""
