"""Countries: the ISO 3166 list, country groups, country profiles and EU market-access facts."""
