"""The OpenAPI document covers every route, and the docs page shows all of it."""

from tests.api.conftest import json_of
from tradeportal.api.products import NOT_IN_API, SECTION_SCHEMAS
from tradeportal.api.spec import build_spec
from tradeportal.product import PRODUCT_SECTIONS


def _api_routes(app) -> set[tuple[str, str]]:
    """(METHOD, OpenAPI path) of every /api/v1 rule of the app."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", f"{{{name}}}").replace(f"<{name}>", f"{{{name}}}")
        routes |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def _documented(spec: dict) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method in operations
    }


def test_every_api_route_is_in_the_spec(app, api):
    spec = json_of(api.get("/api/v1/openapi.json"))
    assert spec["openapi"].startswith("3.")
    missing = _api_routes(app) - _documented(spec)
    assert not missing, f"routes without a spec: {sorted(missing)}"
    assert len(spec["paths"]) >= 25


def test_a_route_without_a_declaration_is_missing_from_the_spec(app):
    # The check above can fail: an undeclared route is left out of the document.
    app.add_url_rule("/api/v1/undocumented", "api_undocumented", lambda: {"x": 1})
    with app.app_context():
        spec = build_spec(app)
    assert ("GET", "/api/v1/undocumented") in _api_routes(app) - _documented(spec)


def test_every_operation_documents_its_errors_with_the_one_shape(api):
    spec = json_of(api.get("/api/v1/openapi.json"))
    error_ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for status in ("400", "429", "500"):
                assert responses[status]["content"]["application/json"]["schema"] == error_ref, (
                    method,
                    path,
                    status,
                )
            if any(p["in"] == "path" for p in operation["parameters"]):
                assert "404" in responses, (method, path)


def test_every_product_page_section_has_an_api_schema():
    # A section added to the page must be added to the API (or declared page-only).
    page_sections = {section.key for section in PRODUCT_SECTIONS}
    assert page_sections - NOT_IN_API == set(SECTION_SCHEMAS)


def test_the_docs_page_lists_every_path_parameter_and_schema(api):
    spec = json_of(api.get("/api/v1/openapi.json"))
    page = api.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert f"{method.upper()} {path}" in text
            for parameter in operation["parameters"]:
                assert f"<code>{parameter['name']}</code>" in text
    for name in spec["components"]["schemas"]:
        assert f'id="schema-{name}"' in text
    # Served from this site only: no script, stylesheet or font from elsewhere.
    assert "<script" not in text and "https://cdn" not in text
