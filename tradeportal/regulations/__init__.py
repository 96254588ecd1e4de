"""Regulations, procedures and agencies: rules for trading a product, with their forms."""
