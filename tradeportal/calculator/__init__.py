"""Duty and landed-cost calculator: what a shipment pays at the border, step by step."""
