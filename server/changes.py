"""What a change of config means, decided before anything changes: the merged config
(validated, with what a new dataset needs of the features and the network, switch.py,
and the features the dataset cannot use dropped), the fields that really changed, whether
it needs a new network, and the `config` message that tells every connection, with a
plain sentence for each change the user did not make themselves. The session only applies
the result; these rules are the protocol's (docs/protocol.md, Config and schema)."""

from __future__ import annotations

from dataclasses import dataclass

from engine import OPTIMIZERS
from engine.datasets import DATASETS

from .errors import Invalid
from .presets import BY_NAME as PRESETS
from .schema import Field, defaults
from .switch import dataset_switch
from .validate import is_live, validate
from .views import usable_features


@dataclass(frozen=True)
class Change:
    config: dict
    changed: list[str]
    rebuilt: bool  # a new network (and new data where it concerns data)
    preset: str | None = None
    notice: str | None = None
    notes: tuple[str, ...] = ()  # what changed because of another change (a dataset's features)

    def message(self, config_version: int) -> dict:
        out = {
            "type": "config",
            "config": self.config,
            "config_version": config_version,
            "rebuilt": self.rebuilt,
            "changed": self.changed,
        }
        if self.preset:
            out["preset"] = self.preset
        if self.notice:
            out["notice"] = self.notice
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def plan(partial: dict, config: dict, fields: list[Field], preset: str | None = None) -> Change:
    """`partial` applied to `config`; raises Invalid (and nothing changes) if any field is bad."""
    merged, _ = validate(partial, config, fields)
    merged, notes = dataset_switch(partial, config, merged, defaults(fields))
    merged = consistent(merged)
    changed = [k for k in merged if merged[k] != config[k]]
    # A preset always starts a new run, even when it only differs in live settings.
    rebuilt = preset is not None or (bool(changed) and not is_live(changed, fields))
    notice = None
    if "optimizer" in changed and not rebuilt:
        notice = (
            f"Switched to {OPTIMIZERS[merged['optimizer']].label}: the weights are kept, the optimizer's "
            "state (velocities, averages) starts over."
        )
    return Change(merged, changed, rebuilt, preset, notice, tuple(notes))


def preset(name: str, fields: list[Field]) -> dict:
    """A preset is a whole setup: everything it does not name goes back to its default,
    the defaults of the choices it makes included (a preset choosing Lion gets Lion's β₂)."""
    if name not in PRESETS:
        raise Invalid("name", "unknown preset; the list is in hello.presets")
    return validate(PRESETS[name]["config"], defaults(fields), fields)[0]


def consistent(config: dict) -> dict:
    """Features that do not apply to the dataset (x2 on a line) are dropped here, so the
    config every page shows is the one the network uses. Images ignore features; the
    choice is kept for when the user goes back to a 2D dataset."""
    if config["dataset"] not in DATASETS or not DATASETS[config["dataset"]].features:
        return config
    return {**config, "features": usable_features(config["dataset"], config["features"])}


def run_configs(config: dict, fields: list[Field]) -> list[dict]:
    """Run A's config, and run B's when comparing: the same but for one setting, as a user
    would set it (B choosing Lion gets Lion's defaults for what A's optimizer shares)."""
    compare = config["compare"]
    if compare is None:
        return [config]
    return [config, validate({compare["field"]: compare["value"]}, {**config, "compare": None}, fields)[0]]
