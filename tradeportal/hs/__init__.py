"""The nomenclature: HS editions, national lines, correspondences, code lookup and browse."""
