"""/data/: the latest dump's files, and every version's, with headers safe to download."""

from datetime import datetime

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from tradeportal.opendata.dumps import (
    CHECKSUMS,
    MANIFEST,
    dumps_root,
    latest,
    read_manifest,
    versions,
)

bp = Blueprint("opendata", __name__, url_prefix="/data")
MEDIA_TYPES = {MANIFEST: "application/json", CHECKSUMS: "text/plain"}
# The datasets of a dump, named for people (the manifest keeps the English identifiers).
DATASET_LABELS = {
    "nomenclature": _l("nomenclature"),
    "regulations": _l("regulations"),
    "procedures": _l("procedures"),
    "tariffs": _l("tariffs"),
    "agreements": _l("agreements"),
    "countries": _l("countries"),
    "tenders": _l("tenders"),
}


def _root():
    return dumps_root(current_app.instance_path, current_app.config.get("DATA_DUMP_DIR"))


@bp.get("/")
def index():
    """List the latest dump's files, and the earlier versions."""
    root = _root()
    manifest = latest(root)
    generated_at = None
    if manifest:
        try:
            generated_at = datetime.fromisoformat(manifest["generated_at"])
        except (KeyError, TypeError, ValueError):
            generated_at = None
    return render_template(
        "opendata/index.html",
        manifest=manifest,
        generated_at=generated_at,
        versions=list(reversed(versions(root))),
        dataset_label=lambda name: str(DATASET_LABELS.get(name, name)),
        # The manifest describes its files in English; the page says it in its language.
        describe=lambda text: gettext(text) if text else "",
    )


@bp.get("/<version>/<name>")
def download(version: str, name: str):
    """Send one file of a dump: only names its manifest lists, so no path leads elsewhere."""
    manifest = read_manifest(_root(), version)
    if manifest is None:
        abort(404)
    media_types = {entry["name"]: entry["media_type"] for entry in manifest["files"]}
    media_types.update(MEDIA_TYPES)
    if name not in media_types:
        abort(404)
    response = send_from_directory(
        _root() / version,
        name,
        mimetype=media_types[name] + ("; charset=utf-8" if name != MANIFEST else ""),
        as_attachment=name != MANIFEST,
        download_name=f"tradeportal-{version}-{name}",
        max_age=365 * 24 * 3600,  # a version never changes
    )
    return response


@bp.get("/latest/<name>")
def latest_file(name: str):
    """Redirect to the file of the latest dump (links that always give the newest data)."""
    manifest = latest(_root())
    if manifest is None:
        abort(404)
    return redirect(url_for("opendata.download", version=manifest["version"], name=name), 302)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
