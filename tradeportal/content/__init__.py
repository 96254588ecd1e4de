"""Bulk import and export of trade content, shared by every content area."""
