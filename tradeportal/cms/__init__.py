"""The editorial CMS: drafts, review, publication, revisions and change events."""
