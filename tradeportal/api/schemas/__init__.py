"""Output schemas (``<X>Schema``) of the API, one module per area.

They dump the same objects the pages render (ORM rows, the catalog's nodes, the product
sections' dataclasses), so the API says what the pages say. Input stays with the areas'
``<X>Input`` schemas.
"""
