"""Every contact list says which model, params and revision made it; the read-out reports it, and warns when a
list comes without the record."""

import hashlib
import json
import subprocess
import sys

import pytest
from conftest import ROOT
from simulated_campaign import campaign, params_with
from workspace import run

from oneclick.campaign.provenance import describe, read_record, record, sidecar
from oneclick.campaign.readout import campaign_files, readout_file
from oneclick.common.errors import DataError
from oneclick.common.io import write_json


def git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_the_record_names_the_model_the_params_and_the_revision(tmp_path):
    model = tmp_path / "model.skops"
    model.write_bytes(b"not really a model")
    spec = {"contact_cost": 0.1, "offers": {"a": {"cost": 1}}}
    assert record("predict", "spring", spec, model, tmp_path)["git"] is None  # not a git checkout
    git(tmp_path, "init", "-q")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "start")
    head = subprocess.run(["git", "-C", str(tmp_path), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    made = record("predict", "spring", spec, model, tmp_path)
    assert made["model"]["sha256"] == hashlib.sha256(b"not really a model").hexdigest()
    assert made["git"] == {"revision": head, "dirty": False}
    git(tmp_path, "add", "model.skops")  # a tracked change not committed
    assert record("predict", "spring", spec, model, tmp_path)["git"]["dirty"] is True
    reordered = {"offers": {"a": {"cost": 1}}, "contact_cost": 0.1}
    assert made["campaign_params_sha256"] == record("x", "y", reordered)["campaign_params_sha256"]
    assert made["campaign_params_sha256"] != record("x", "y", {**spec, "contact_cost": 0.2})["campaign_params_sha256"]
    assert "model " + made["model"]["sha256"][:12] in describe(made) and head[:12] in describe(made)


def test_the_read_out_reports_the_record_or_warns_without_it(tmp_path):
    _, _, contacts, _ = campaign(tmp_path, 200)
    outcomes = tmp_path / "outcomes"
    without, _ = readout_file(contacts, outcomes, params_with())
    assert without["contact_list"]["provenance"] is None
    output = tmp_path / "readout.json"
    result = run([sys.executable, "-m", "oneclick.readout", "--campaign", str(contacts), "--outcomes", str(outcomes),
                  "--output", str(output)], ROOT)
    assert "warning: the contact list has no provenance record" in result.stderr
    made = record("python -m oneclick.predict", "spring", params_with()["campaign"])
    write_json(sidecar(contacts), made)
    with_record, _ = readout_file(contacts, outcomes, params_with())
    assert with_record["contact_list"] == {"provenance": made, "says": describe(made)}
    result = run([sys.executable, "-m", "oneclick.readout", "--campaign", str(contacts), "--outcomes", str(outcomes),
                  "--output", str(output)], ROOT)
    assert "warning" not in result.stderr
    assert json.loads(output.read_text())["contact_list"]["provenance"] == made
    assert sidecar(contacts) in campaign_files(contacts, outcomes, "spring", 1e9)  # raw_import keeps it


GOOD = {"made_by": "predict", "campaign": "spring", "model": {"path": "m.skops", "sha256": "ab" * 32},
        "campaign_params_sha256": "cd" * 32, "git": {"revision": "ef" * 20, "dirty": False}}


@pytest.mark.parametrize("text", ["{not json", '{"made_by": "x"}', json.dumps({**GOOD, "model": "m.skops"}),
                                  json.dumps({**GOOD, "git": ["abc"]}), json.dumps({**GOOD, "campaign": 7}),
                                  json.dumps({**GOOD, "git": {"revision": "ab", "dirty": "no"}})])
def test_a_broken_record_is_one_clear_error(tmp_path, text):
    """Not JSON, keys missing, or a field not as predict writes it: one error naming the file, before describe
    would stop on it with a traceback."""
    contacts = tmp_path / "contacts.csv"
    sidecar(contacts).write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="contacts_provenance.json: not"):
        read_record(contacts)
    sidecar(contacts).write_text(json.dumps(GOOD), encoding="utf-8")
    assert "model abababababab" in describe(read_record(contacts))  # the well-formed record reads


def test_a_list_drawn_for_another_campaign_is_named_when_imported(tmp_path):
    """A list predict made for the default campaign, imported as `spring`: its arms are the default name's, the
    same customers as every such list; the import says so. A list made for `spring`, or without a record, passes."""
    from oneclick.campaign.readout import drawn_for_another

    contacts = tmp_path / "sent.csv"
    assert drawn_for_another(contacts, "spring") is None  # no record: the read-out warns of that itself
    sidecar(contacts).write_text(json.dumps({**GOOD, "campaign": "next"}), encoding="utf-8")
    warning = drawn_for_another(contacts, "spring")
    assert "drawn for campaign 'next'" in warning and "`predict --campaign spring`" in warning
    sidecar(contacts).write_text(json.dumps(GOOD), encoding="utf-8")
    assert drawn_for_another(contacts, "spring") is None
