"""Search: one box that takes codes and words."""
