"""Trade agreements (WTO RTA list), UK preference schemes and their rules of origin."""
