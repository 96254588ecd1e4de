"""Open bulk data: versioned CSV and JSON dumps of the public content, served under /data/."""
