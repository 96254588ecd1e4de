"""Email alerts: public subscribers, subscriptions, the fan-out of change events, Atom feeds."""
