"""/api/v1 nomenclature routes: the editions held, the tree of an edition, one code."""

from flask import current_app, jsonify, request, url_for

from tradeportal.api import bp
from tradeportal.api.core import ApiError, all_of, documented, not_found, one, unprocessable
from tradeportal.api.params import DatedQuery, edition
from tradeportal.api.schemas.hs import HsNodeDetailSchema, HsTreeSchema, NomenclatureSchema
from tradeportal.hs.catalog import get_catalog
from tradeportal.hs.codes import InvalidHSCode
from tradeportal.hs.queries import (
    Lookup,
    Outcome,
    UnknownNomenclature,
    corresponding,
    day_within,
    find_edition,
    lookup_code,
)
from tradeportal.validity import today

TAG = "Nomenclature"
CODE_PATH = {"code": "An HS code in any usual spelling: 0901, 0901.21, 0901 21, 0901210000."}


class EditionQuery(DatedQuery):
    version = edition()


def edition_and_day(args: dict):
    """Return the edition asked for (or in force) and the day moved into its validity."""
    day = args["date"] or today()
    try:
        tree = find_edition(get_catalog(), day, args["version"])
    except UnknownNomenclature as error:
        raise unprocessable("version" if args["version"] else "date", str(error)) from None
    return tree, day_within(tree, day)


@bp.get("/nomenclatures")
@documented(
    summary="List the nomenclatures held: HS editions and national tariff nomenclatures.",
    tag=TAG,
    response=all_of(NomenclatureSchema),
)
def nomenclatures():
    trees = sorted(get_catalog().trees.values(), key=lambda tree: (tree.valid_from, tree.code))
    return {"data": trees}


@bp.get("/hs")
@documented(
    summary="The top of an edition's tree: its sections with their chapters.",
    tag=TAG,
    query=EditionQuery,
    response=one(HsTreeSchema),
    errors=(422,),
)
def tree(args):
    edition_tree, day = edition_and_day(args)
    sections = [
        {
            "numeral": section.numeral,
            "position": section.position,
            "title_en": section.title_en,
            "title_fr": section.title_fr,
            "chapters": [
                node
                for code in section.chapters
                if (node := edition_tree.get(code, day)) is not None
            ],
        }
        for section in edition_tree.sections
    ]
    return {"data": {"as_of": day, "edition": edition_tree, "sections": sections}}


def resolve(raw: str, args: dict) -> Lookup:
    """Look a code up as the page does; redirect, or refuse with the page's reasons.

    Returns the lookup of a code that exists; raises ApiError otherwise. A code written
    another way (``0901.21``), a national code padded with zeros, or an older code with one
    successor redirect, keeping the query string.
    """
    day = args["date"] or today()
    try:
        found = lookup_code(raw, day, args.get("version"))
    except InvalidHSCode as error:
        message = " ".join(filter(None, (error.message, error.hint)))
        raise ApiError(400, message, details={"code": [message]}) from None
    except UnknownNomenclature as error:
        name = "version" if args.get("version") else "date"
        raise unprocessable(name, str(error)) from None
    if found.outcome is Outcome.FOUND:
        if raw != found.code.digits:
            raise _Redirect(found.code.digits, 301)
        return found
    if found.outcome is Outcome.SAME_AS:
        raise _Redirect(found.target, 302)
    if found.outcome is Outcome.MOVED:
        raise _Redirect(found.target, 301)
    if found.outcome is Outcome.SPLIT:
        raise ApiError(
            404,
            f"{found.code.display} was split between several codes of {found.edition.code}.",
            code="split",
            details={"successors": [node.code for node in found.successors]},
        )
    nearest = found.nearest.code if found.nearest else None
    raise not_found(
        f"There is no code {found.code.display} in {found.edition.code}.", nearest=nearest
    )


class _Redirect(Exception):
    def __init__(self, code: str, status: int):
        super().__init__(code)
        self.code, self.status = code, status


def redirect_to(found: _Redirect):
    """Redirect to the code's own address, keeping the query; the body says where, in JSON."""
    target = url_for(request.endpoint, code=found.code, **request.args.to_dict(flat=True))
    response = jsonify({"location": target, "code": found.code})
    response.status_code = found.status
    response.headers["Location"] = target
    return response


@bp.get("/hs/<code>")
@documented(
    summary="One code: its place in the tree, children with counts, HS 2017 ↔ 2022 links.",
    tag=TAG,
    query=EditionQuery,
    response=one(HsNodeDetailSchema),
    errors=(404, 422),
    path=CODE_PATH,
    examples={"code": "090121"},
    redirects=(301, 302),
)
def node(code: str, args):
    try:
        found = resolve(code, args)
    except _Redirect as moved:
        return redirect_to(moved)
    catalog, node_, tree_ = get_catalog(), found.node, found.edition
    day = found.day
    base = catalog.trees[tree_.base_code] if tree_.base_code else tree_
    children = tree_.children(node_.code, day)
    if node_.level == 6:
        national = catalog.national_for(current_app.config["HOME_COUNTRY"], tree_, day)
        if national is not None:
            children += national.children(node_.code, day)
    return {
        "data": {
            "as_of": day,
            "node": node_,
            "edition": tree_,
            "ancestors": catalog.ancestors(node_),
            "children": [_child(child, base, day) for child in children],
            "older": [_link(link, other) for link, other in corresponding(node_, newer=False)],
            "newer": [_link(link, other) for link, other in corresponding(node_, newer=True)],
        }
    }


def _child(child, base, day) -> dict:
    counts = base.descendant_counts(child.code, day)
    fields = {name: getattr(child, name) for name in child.__slots__}
    return {**fields, "descendants": {str(level): n for level, n in sorted(counts.items())}}


def _link(link, other) -> dict:
    return {
        "nomenclature": link.nomenclature,
        "code": link.code,
        "relationship": link.relationship,
        "node": other,
    }
