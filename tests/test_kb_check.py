"""`hipnerve kb check` passes on the packaged knowledge and names file and id for each fault."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hipnerve.cli import app

runner = CliRunner()


def _check(path: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["kb", "check", "--path", str(path)])
    return result.exit_code, result.output


def test_packaged_knowledge_passes() -> None:
    result = runner.invoke(app, ["kb", "check"])
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output


def test_stats_json_meets_minimums() -> None:
    result = runner.invoke(app, ["kb", "stats", "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert set(stats) == {"conditions", "findings", "sources", "triage_rules"}
    assert stats["conditions"] >= 24
    assert stats["findings"] >= 80
    assert stats["triage_rules"] >= 10


def _edit(path: Path, edit) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def _first_condition(kb_copy: Path) -> Path:
    return sorted((kb_copy / "conditions").glob("*.yaml"))[0]


def test_dangling_finding_id(kb_copy: Path) -> None:
    file = _first_condition(kb_copy)
    _edit(file, lambda d: d["likelihoods"][0].update(finding="no_such_finding"))
    code, output = _check(kb_copy)
    assert code == 1
    assert f"conditions/{file.name}" in output and "no_such_finding" in output


def test_unknown_source(kb_copy: Path) -> None:
    file = _first_condition(kb_copy)
    _edit(file, lambda d: d["likelihoods"][0].update(source="nobody_2099"))
    code, output = _check(kb_copy)
    assert code == 1 and "unknown source 'nobody_2099'" in output and file.stem in output


def test_missing_source_field(kb_copy: Path) -> None:
    file = _first_condition(kb_copy)
    _edit(file, lambda d: d["likelihoods"][0].pop("source"))
    code, output = _check(kb_copy)
    assert code == 1 and "source" in output and file.name in output


@pytest.mark.parametrize("value", [0.0, 1.0, 1.5, -0.1])
def test_probability_outside_open_interval(kb_copy: Path, value: float) -> None:
    file = _first_condition(kb_copy)
    _edit(file, lambda d: d["prior"]["bands"][0].update(female=value))
    code, output = _check(kb_copy)
    assert code == 1 and "not a probability in (0, 1)" in output and file.stem in output


@pytest.mark.parametrize("value", [0.0, -2.0])
def test_likelihood_ratio_not_positive(kb_copy: Path, value: float) -> None:
    file = _first_condition(kb_copy)
    _edit(file, lambda d: d["likelihoods"][0].update(lr_pos=value, lr_neg=None))
    code, output = _check(kb_copy)
    assert code == 1 and "must be a finite ratio > 0" in output and file.stem in output


def test_duplicate_condition_id(kb_copy: Path) -> None:
    file = _first_condition(kb_copy)
    (kb_copy / "conditions" / "zz_copy.yaml").write_text(file.read_text())
    code, output = _check(kb_copy)
    assert code == 1 and "duplicate condition id" in output


def test_duplicate_finding_id(kb_copy: Path) -> None:
    file = kb_copy / "findings.yaml"
    _edit(file, lambda d: d["findings"].append(dict(d["findings"][0])))
    code, output = _check(kb_copy)
    assert code == 1 and "duplicate finding id" in output and "findings.yaml" in output


def test_unknown_key(kb_copy: Path) -> None:
    file = _first_condition(kb_copy)
    _edit(file, lambda d: d["likelihoods"][0].update(sensitivty=0.9))
    code, output = _check(kb_copy)
    assert code == 1 and "sensitivty" in output and file.name in output


def test_condition_without_codes(kb_copy: Path) -> None:
    file = _first_condition(kb_copy)
    _edit(file, lambda d: d.update(codes=[c for c in d["codes"] if c["system"] != "snomed"]))
    code, output = _check(kb_copy)
    assert code == 1 and "no snomed code" in output and file.stem in output


def test_triage_rule_with_dangling_finding(kb_copy: Path) -> None:
    file = kb_copy / "triage_rules.yaml"
    _edit(file, lambda d: d["rules"][0].update(when="no_such_finding"))
    code, output = _check(kb_copy)
    assert code == 1 and "triage_rules.yaml" in output and "no_such_finding" in output


def test_estimate_without_reasoning(kb_copy: Path) -> None:
    file = _first_condition(kb_copy)
    _edit(file, lambda d: d["likelihoods"][0].update(estimate=True, reasoning=None))
    code, output = _check(kb_copy)
    assert code == 1 and "reasoning" in output


def test_every_number_names_a_source_and_setting(model) -> None:  # type: ignore[no-untyped-def]
    """Every likelihood and prior cites a registered source; estimates carry their reasoning."""
    kb = model.kb
    for condition in kb.conditions.values():
        assert condition.prior.source in kb.sources
        for lik in condition.likelihoods:
            assert lik.source in kb.sources, (condition.id, lik.finding)
            assert lik.setting is not None
            if lik.estimate:
                assert lik.reasoning and len(lik.reasoning) >= 15


def test_sources_have_locators(model) -> None:  # type: ignore[no-untyped-def]
    for source in model.kb.sources.values():
        assert source.url or source.doi or source.pmid
        if source.doi:
            assert re.match(r"^10\.\d{4,9}/\S+$", source.doi), source.id


def _finding_without_frequency(kb_copy: Path) -> str:
    data = yaml.safe_load((kb_copy / "findings.yaml").read_text())
    return next(f["id"] for f in data["findings"] if "frequency" not in f)


def test_sensitivity_needs_the_findings_frequency(kb_copy: Path) -> None:
    file = _first_condition(kb_copy)
    finding = _finding_without_frequency(kb_copy)

    def edit(d) -> None:  # type: ignore[no-untyped-def]
        d["likelihoods"][0] = {"finding": finding, "sensitivity": 0.5, "source": "nice_ng59", "setting": "guideline"}

    _edit(file, edit)
    code, output = _check(kb_copy)
    assert code == 1 and "population frequency" in output and finding in output


def test_an_estimated_sensitivity_may_not_claim_a_tiny_ratio(kb_copy: Path) -> None:
    """Below a quarter of the finding's frequency (LR+ < 0.25) a sensitivity needs a published figure."""
    data = yaml.safe_load((kb_copy / "findings.yaml").read_text())
    finding, frequency = next((f["id"], f["frequency"]["value"]) for f in data["findings"] if "frequency" in f)
    file = _first_condition(kb_copy)
    entry = {"finding": finding, "sensitivity": round(frequency * 0.2, 4), "source": "nice_ng59"}
    entry["setting"] = "guideline"
    guess = {**entry, "estimate": True, "reasoning": "a guess, for the test"}

    _edit(file, lambda d: d.update(likelihoods=[guess]))
    code, output = _check(kb_copy)
    assert code == 1 and "claims LR+ < 0.25" in output and finding in output

    _edit(file, lambda d: d.update(likelihoods=[entry]))  # the same figure, published: allowed
    code, output = _check(kb_copy)
    assert "claims LR+" not in output


def test_sensitivity_and_ratios_together_are_refused(kb_copy: Path) -> None:
    file = _first_condition(kb_copy)
    _edit(file, lambda d: d["likelihoods"][0].update(sensitivity=0.5, lr_pos=2.0))
    code, output = _check(kb_copy)
    assert code == 1 and "either a sensitivity or likelihood ratios" in output


def test_care_plan_problems_are_reported(kb_copy: Path) -> None:
    (kb_copy / "careplan" / "illustrations" / "bridge.svg").unlink()
    plans = kb_copy / "careplan" / "conditions.yaml"
    _edit(plans, lambda d: d["conditions"].pop(0))
    code, output = _check(kb_copy)
    assert code == 1
    assert "illustration 'bridge.svg' is missing" in output
    assert "condition has no care plan" in output


def test_unsafe_svg_is_refused(kb_copy: Path) -> None:
    (kb_copy / "careplan" / "illustrations" / "bridge.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )
    code, output = _check(kb_copy)
    assert code == 1 and "must not contain <script>" in output


def test_must_not_miss_condition_without_a_warning_sign_naming_it(kb_copy: Path) -> None:
    file = kb_copy / "triage_rules.yaml"

    def drop_dvt(data: dict) -> None:  # type: ignore[type-arg]
        for rule in data["rules"]:
            rule["suspects"] = [c for c in rule.get("suspects", []) if c != "deep_vein_thrombosis"]

    _edit(file, drop_dvt)
    code, output = _check(kb_copy)
    assert code == 1 and "deep_vein_thrombosis" in output and "no urgent triage rule" in output


@pytest.mark.parametrize(
    ("members", "message"),
    [
        (["lumbar_disc_herniation", "no_such_condition"], "unknown condition 'no_such_condition'"),
        (
            ["lumbar_disc_herniation", "hip_osteoarthritis"],
            "'lumbar_disc_herniation' is already in 'lumbar_nerve_root'",
        ),
    ],
)
def test_family_faults_name_the_manifest_and_the_family(kb_copy: Path, members: list[str], message: str) -> None:
    def add_family(data: dict) -> None:  # type: ignore[type-arg]
        data["families"].append({"id": "bad_family", "members": members, "reason": "x" * 25, "source": "koes_2007"})

    _edit(kb_copy / "manifest.yaml", add_family)
    code, output = _check(kb_copy)
    assert code == 1 and "manifest.yaml" in output and "bad_family" in output and message in output


def test_family_without_a_known_source(kb_copy: Path) -> None:
    _edit(kb_copy / "manifest.yaml", lambda d: d["families"][0].update(source="nobody_2099"))
    code, output = _check(kb_copy)
    assert code == 1 and "unknown source 'nobody_2099'" in output and "lumbar_nerve_root" in output
