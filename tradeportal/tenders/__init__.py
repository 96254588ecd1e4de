"""Public tenders: real OCDS sample releases, linked to HS codes through a CPV mapping."""
