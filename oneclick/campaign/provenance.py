"""Which model, params and code revision made a contact list: a record beside it, `<list stem>_provenance.json`.

predict writes it beside its scores, the demo campaign beside its contact list, and `raw_import --campaign` keeps
it with the list it imports; the read-out reports it. Months later, a read-out can then tell whether the list it
reads is the one this repository produced, and from what (the model may well have been retrained since: that is
fine, the record says which one made the list). The record is plain JSON: reading it runs nothing.
"""

import hashlib
import json
import subprocess
from pathlib import Path

from oneclick.common.errors import DataError
from oneclick.common.io import read_json_file

HASH_BYTES = 1 << 20


def sidecar(list_path) -> Path:
    list_path = Path(list_path)
    return list_path.with_name(f"{list_path.stem}_provenance.json")


def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(HASH_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def params_sha256(spec: dict) -> str:
    """The hash of a params section (canonical JSON): equal sections, equal hashes, whatever the file's layout."""
    return hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def git_revision(repo) -> dict | None:
    """{revision, dirty: tracked files changed since} of the checkout `repo`, or None outside a git checkout."""
    try:
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return {"revision": head, "dirty": bool(status.strip())}


def record(made_by: str, campaign: str, campaign_spec: dict, model=None, repo=None) -> dict:
    """The provenance of a list: what made it (`made_by`), for which campaign, the model file's hash (None where
    the probabilities came from a stage's output), the hash of params' `campaign` section, and the git revision of
    `repo` (None for a DVC stage's output: the commit whose dvc.lock lists the output's md5 made it)."""
    return {"made_by": made_by, "campaign": campaign,
            "model": None if model is None else {"path": Path(model).as_posix(), "sha256": file_sha256(model)},
            "campaign_params_sha256": params_sha256(campaign_spec),
            "git": None if repo is None else git_revision(repo)}


def read_record(list_path) -> dict | None:
    """The record beside a contact list, or None when there is none."""
    path = sidecar(list_path)
    if not path.is_file():
        return None
    found = read_json_file(path, "predict writes it beside the list it makes")
    if not isinstance(found, dict) or not {"made_by", "campaign", "model", "campaign_params_sha256"} <= set(found):
        raise DataError(f"{path}: not a provenance record (made_by, campaign, model, campaign_params_sha256)")
    problem = _record_problem(found)
    if problem:
        raise DataError(f"{path}: not a provenance record: {problem}")
    return found


def _text(value) -> bool:
    return isinstance(value, str)


def _record_problem(found: dict) -> str | None:
    """What in a record's fields is not as `record` writes them, or None."""
    for key in ("made_by", "campaign", "campaign_params_sha256"):
        if not _text(found[key]):
            return f"'{key}' is not text"
    model, git = found["model"], found.get("git")
    if model is not None and not (isinstance(model, dict) and _text(model.get("path"))
                                  and _text(model.get("sha256"))):
        return "'model' is neither null nor {path, sha256} as text"
    if git is not None and not (isinstance(git, dict) and _text(git.get("revision"))
                                and isinstance(git.get("dirty"), bool)):
        return "'git' is neither null nor {revision as text, dirty as true or false}"
    return None


def describe(found: dict | None) -> str:
    """The record in a sentence, for the read-out's notes and stderr."""
    if found is None:
        return ("the contact list has no provenance record beside it: which model and revision made it cannot be "
                "checked")
    model = "no model file" if found["model"] is None else f"model {found['model']['sha256'][:12]}"
    git = found.get("git")
    revision = ("the commit whose dvc.lock lists it" if git is None else
                f"revision {git['revision'][:12]}{' with uncommitted changes' if git['dirty'] else ''}")
    return (f"the contact list was made by {found['made_by']} for campaign {found['campaign']!r}, {model}, "
            f"campaign params {found['campaign_params_sha256'][:12]}, {revision}")
